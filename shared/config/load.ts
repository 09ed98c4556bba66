import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { formatIssues } from './format-issues';
import { ConfigSchema, type GeorouteConfig } from './schema';

export type ConfigResult = { ok: true; config: GeorouteConfig } | { ok: false; errors: string[] };

/**
 * Validates a config given as YAML/JSON text or as an already-parsed object. Every error is
 * returned at once, each prefixed with its path.
 */
export function parseConfig(input: string | unknown): ConfigResult {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = parseYaml(input);
    } catch (err) {
      const where = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}` : '(yaml)';
      return { ok: false, errors: [`${where}: ${(err as Error).message.split('\n')[0]}`] };
    }
  }
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: formatIssues(result.error.issues) };
}

/** Reads and validates a config file. A missing or unreadable file is an error result, not a throw. */
export async function loadConfig(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}: cannot read file`] };
  }
  return parseConfig(text);
}
