import { ledgerKey, MAX_DESCRIPTION, readLedger, writeLedger } from '../../../../shared/state';

test('the ledger keeps the newest entries that fit Compute Engine’s 2048-character description', () => {
  const ledger = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [ledgerKey(`req-${i}`), 1_800_000_000 + i]));
  const text = writeLedger(ledger);
  expect(text.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
  const back = readLedger(text);
  expect(Object.keys(back).length).toBeGreaterThan(60);
  expect(back[ledgerKey('req-149')]).toBe(1_800_000_149); // newest kept
  expect(back[ledgerKey('req-0')]).toBeUndefined(); // oldest dropped
});
