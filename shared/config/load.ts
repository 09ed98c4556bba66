import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { formatIssues } from './format-issues';
import { ConfigSchema, type GeorouteConfig } from './schema';

export type ConfigResult = { ok: true; config: GeorouteConfig } | { ok: false; errors: string[] };

/** No config comes near these; text beyond them is refused before the YAML parser sees it. */
const MAX_CONFIG_CHARS = 1 << 20;
const MAX_NESTING = 64;

/**
 * An upper estimate of how deep a YAML text nests (indentation, `- ` sequence markers and flow
 * brackets). The YAML parser recurses per level: a few thousand levels exhaust the stack, and a
 * stack overflow inside V8's regular-expression compiler aborts the process instead of throwing
 * (seen while fuzzing: "RegExpCompiler Allocation failed"). So deep text never reaches it.
 */
function yamlNesting(text: string): number {
  let max = 0;
  let flow = 0;
  for (const line of text.split('\n')) {
    const lead = /^[ \t]*((?:-[ \t]+)*)/.exec(line) as RegExpExecArray;
    const indent = lead[0].length - (lead[1] ?? '').length;
    const dashes = ((lead[1] ?? '').match(/-/g) ?? []).length;
    for (const ch of line) {
      if (ch === '[' || ch === '{') flow++;
      else if ((ch === ']' || ch === '}') && flow > 0) flow--;
    }
    max = Math.max(max, Math.floor(indent / 2) + dashes + flow);
  }
  return max;
}

/**
 * Validates a config given as YAML/JSON text or as an already-parsed object. Every error is
 * returned at once, each prefixed with its path.
 */
export function parseConfig(input: string | unknown): ConfigResult {
  let raw: unknown = input;
  if (typeof input === 'string') {
    const tooDeep = yamlNesting(input) > MAX_NESTING;
    if (input.length > MAX_CONFIG_CHARS || tooDeep)
      return {
        ok: false,
        errors: [
          tooDeep
            ? `(yaml): nested more than ${MAX_NESTING} levels deep`
            : `(yaml): larger than ${MAX_CONFIG_CHARS} characters`,
        ],
      };
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
