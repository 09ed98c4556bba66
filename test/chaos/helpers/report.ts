import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `GEOROUTE_CHAOS=full` (`npm run test:chaos`): the sizes the issue asks for; otherwise a bounded run for `npm test`. */
export const FULL = process.env.GEOROUTE_CHAOS === 'full';

/** Picks the bounded or the full size. */
export const size = (bounded: number, full: number): number => (FULL ? full : bounded);

// Bounded runs (inside `npm test`) write elsewhere, so they never overwrite the full run's figures.
const REPORT_DIR = path.resolve(__dirname, '..', '..', '..', 'report', FULL ? 'chaos' : 'chaos-bounded');

/**
 * Writes one chaos suite's figures (what was injected, how many times, what held) to
 * `report/chaos/<suite>.json` (bounded runs: `report/chaos-bounded/`); docs/RELIABILITY.md is transcribed from a full run.
 */
export function writeFigures(suite: string, figures: Record<string, unknown>): void {
  mkdirSync(REPORT_DIR, { recursive: true });
  const body = { suite, mode: FULL ? 'full' : 'bounded', at: new Date().toISOString(), ...figures };
  writeFileSync(path.join(REPORT_DIR, `${suite}.json`), `${JSON.stringify(body, null, 2)}\n`);
}

/** Patterns no log line may ever contain: bearer tokens, JWTs, private keys, credential fields with values. */
export const SECRET_PATTERNS: RegExp[] = [
  /bearer\s+[a-z0-9._-]{8,}/i,
  /\beyJ[a-zA-Z0-9_-]{8,}\.[a-zA-Z0-9_-]{8,}\.[a-zA-Z0-9_-]*/, // a JWT (OIDC / access token)
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /"private_key(_id)?"\s*:\s*"[^"[]/,
  /ya29\.[a-z0-9_-]{10,}/i, // a Google OAuth access token
  /"(authorization|access_token|id_token|refresh_token|client_secret)"\s*:\s*"(?!\[redacted\])[^"]+"/i,
];

/** The lines (as JSON text) that match a secret pattern. */
export function secretLeaks(lines: unknown[]): string[] {
  return lines
    .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
    .filter((text) => SECRET_PATTERNS.some((p) => p.test(text)));
}
