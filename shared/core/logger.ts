/**
 * Structured logs in the JSON shape Cloud Logging parses from stdout: `severity`, `message`, plus
 * `logging.googleapis.com/labels` and any fields. One line per decision, including "did nothing because…".
 */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface LogEntry {
  severity: Severity;
  message: string;
  [field: string]: unknown;
}

export interface Logger {
  log(severity: Severity, message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry `fields` (event id, trigger, region…). */
  child(fields: Record<string, unknown>): Logger;
}

/** Keys that must never reach a log line, whatever a caller passes. */
const SECRET_KEY = /authorization|token|secret|password|private_?key|credential/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1),
    ]),
  );
}

export function createLogger(
  options: { write?: (line: string) => void; base?: Record<string, unknown>; minSeverity?: Severity } = {},
): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const order: Severity[] = ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'];
  const min = order.indexOf(options.minSeverity ?? 'DEBUG');
  const make = (base: Record<string, unknown>): Logger => {
    const log = (severity: Severity, message: string, fields: Record<string, unknown> = {}) => {
      if (order.indexOf(severity) < min) return;
      const entry = redact({ severity, message, ...base, ...fields, time: new Date().toISOString() });
      write(JSON.stringify(entry));
    };
    return {
      log,
      debug: (m, f) => log('DEBUG', m, f),
      info: (m, f) => log('INFO', m, f),
      warn: (m, f) => log('WARNING', m, f),
      error: (m, f) => log('ERROR', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** A logger that keeps entries in memory, for tests and the demo's timeline. */
export function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger = createLogger({ write: (line) => entries.push(JSON.parse(line) as LogEntry) });
  return Object.assign(logger, { entries });
}
