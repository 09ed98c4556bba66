import type { GeorouteConfig } from '../../shared/config';
import type { ReconcileResult } from '../../shared/reconcile/reconcile';
import { loadConfigOrExplain } from './load-config';

/**
 * What `plan` and `status` share: load the config (every error with its path), then run the reconcile
 * loop in dry-run mode against Google Cloud (or the emulator, when GEOROUTE_EMULATOR is set): observe
 * and plan, no write. Resolves undefined when the config is invalid.
 */
export async function readLive(file: string): Promise<{ config: GeorouteConfig; result: ReconcileResult } | undefined> {
  const config = await loadConfigOrExplain(file);
  if (!config) return undefined;
  // Loaded here: `georoute validate-config` and `--help` must not pay for the Google clients.
  const { createDeps } = require('../../shared/deps') as typeof import('../../shared/deps');
  const { reconcile } =
    require('../../shared/reconcile/reconcile') as typeof import('../../shared/reconcile/reconcile');
  const { createLogger } = require('../../shared/core/logger') as typeof import('../../shared/core/logger');
  const deps = createDeps(config, { logger: createLogger({ minSeverity: 'CRITICAL' }) });
  try {
    const result = await reconcile(deps, config, { kind: 'manual', eventId: `cli-${Date.now()}` }, { dryRun: true });
    return { config, result };
  } finally {
    await deps.gcp.close();
  }
}
