/** Loads and validates a config for a CLI command: every error printed with its path, or the config. */
export async function loadConfigOrExplain(
  file: string,
): Promise<import('../../shared/config').GeorouteConfig | undefined> {
  const { loadConfig } = require('../../shared/config/load') as typeof import('../../shared/config/load');
  const result = await loadConfig(file);
  if (result.ok) return result.config;
  for (const line of result.errors) console.error(`${file}: ${line}`);
  console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'}: nothing was read or written`);
  return undefined;
}
