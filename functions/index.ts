/**
 * package.json `main`: what `gcloud functions deploy --entry-point=<name>` loads. Registers the three
 * CloudEvent functions and nothing else: the core and the Google clients load on the first event.
 */
import { cloudEvent } from '@google-cloud/functions-framework';
import { capacityRequest } from './capacity-request';
import { healthAlert } from './health-alert';
import { reconcile } from './reconcile';

cloudEvent('capacityRequest', capacityRequest);
cloudEvent('healthAlert', healthAlert);
cloudEvent('reconcile', reconcile);
