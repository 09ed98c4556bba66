#!/usr/bin/env node
/**
 * Talks to the georoute emulator with the official Google client libraries only — no georoute code.
 * Start the emulator (`npx georoute emulator --port 0 --pubsub-port 0`), export the two lines it
 * prints, then: `node examples/official-clients.js`.
 *
 * It creates a backend service, sees a stale fingerprint refused with 412, creates a Cloud DNS
 * managed zone with a geo record set, and publishes to a Pub/Sub topic.
 */

const { BackendServicesClient } = require('@google-cloud/compute/build/src/v1/backend_services_client');
const { GlobalOperationsClient } = require('@google-cloud/compute/build/src/v1/global_operations_client');
const { HealthChecksClient } = require('@google-cloud/compute/build/src/v1/health_checks_client');
const { DNS } = require('@google-cloud/dns');
const { PubSub } = require('@google-cloud/pubsub');
const { googleAuthLibrary } = require('google-gax');

const emulator = process.env.GEOROUTE_EMULATOR;
const pubsubHost = process.env.PUBSUB_EMULATOR_HOST;
if (!emulator || !pubsubHost) {
  console.error('set GEOROUTE_EMULATOR and PUBSUB_EMULATOR_HOST (printed by `georoute emulator`)');
  process.exit(2);
}
const project = process.env.GOOGLE_CLOUD_PROJECT || 'demo-project';
const url = new URL(emulator);
// Compute is REST-only: a separate port, plain HTTP, and an auth client that sends no credentials.
const computeOptions = {
  apiEndpoint: url.hostname,
  port: Number(url.port),
  protocol: 'http',
  authClient: new googleAuthLibrary.PassThroughClient(),
};

async function waitDone(operations, op) {
  let current = op.latestResponse;
  while (current.status !== 'DONE') [current] = await operations.wait({ project, operation: current.name });
  if (current.error) throw new Error(JSON.stringify(current.error));
}

async function main() {
  const healthChecks = new HealthChecksClient(computeOptions);
  const backendServices = new BackendServicesClient(computeOptions);
  const operations = new GlobalOperationsClient(computeOptions);

  let [op] = await healthChecks.insert({
    project,
    healthCheckResource: { name: 'hc', type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/health' } },
  });
  await waitDone(operations, op);
  [op] = await backendServices.insert({
    project,
    backendServiceResource: {
      name: 'llm',
      protocol: 'HTTP',
      timeoutSec: 600,
      healthChecks: [`projects/${project}/global/healthChecks/hc`],
    },
  });
  await waitDone(operations, op);
  const [bs] = await backendServices.get({ project, backendService: 'llm' });
  console.log(`backend service created: ${bs.name}, timeoutSec ${bs.timeoutSec}, fingerprint ${bs.fingerprint}`);

  [op] = await backendServices.patch({
    project,
    backendService: 'llm',
    backendServiceResource: { timeoutSec: 900, fingerprint: bs.fingerprint },
  });
  await waitDone(operations, op);
  try {
    // The fingerprint read before the first patch is stale now.
    await backendServices.patch({
      project,
      backendService: 'llm',
      backendServiceResource: { timeoutSec: 30, fingerprint: bs.fingerprint },
    });
    throw new Error('a stale fingerprint was accepted');
  } catch (err) {
    if (err.code !== 412 || !String(err.message).includes('conditionNotMet')) throw err;
    console.log('stale fingerprint refused: HTTP 412 conditionNotMet');
  }

  const dns = new DNS({ projectId: project, authClient: new googleAuthLibrary.PassThroughClient() });
  dns.baseUrl = `${emulator}/dns/v1`;
  const [zone] = await dns.createZone('example', { dnsName: 'example.com.', description: 'demo zone' });
  const record = zone.record('a', {
    name: 'infer.example.com.',
    ttl: 30,
    routingPolicy: {
      geo: {
        items: [
          { location: 'us-east4', rrdatas: ['198.51.100.2'] },
          { location: 'europe-west4', rrdatas: ['198.51.100.3'] },
        ],
      },
    },
  });
  await zone.createChange({ add: record });
  const [records] = await zone.getRecords({ name: 'infer.example.com.', type: 'A' });
  console.log(
    `geo record set: ${records[0].metadata.routingPolicy.geo.items.map((i) => `${i.location}→${i.rrdatas}`).join(', ')}`,
  );

  const pubsub = new PubSub({ projectId: project, apiEndpoint: pubsubHost, emulatorMode: true });
  const [topic] = await pubsub.createTopic('hello');
  const id = await topic.publishMessage({ json: { hello: 'georoute' } });
  console.log(`published to ${topic.name}: message ${id}`);
  await pubsub.close();
  await Promise.all([healthChecks.close(), backendServices.close(), operations.close()]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
