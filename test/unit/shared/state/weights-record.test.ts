import { decodeMovedAt, decodeWeights, encodeWeights } from '../../../../shared/state/weights-record';

const weights = {
  'us-west1': { 'us-central1': 0.75, 'asia-northeast1': 0.25 },
  'europe-west1': { 'europe-west4': 1 },
};

describe('weights record', () => {
  it('round-trips the weights and the time they moved', () => {
    const rrdatas = encodeWeights(weights, 1_700_000_000_123);
    expect(rrdatas[0]).toMatch(/^"@t=1700000000123;/);
    expect(decodeWeights(rrdatas)).toEqual(weights);
    expect(decodeMovedAt(rrdatas)).toBe(1_700_000_000_123);
  });

  it('reads a record written without the time (older georoute) as "moved at an unknown time"', () => {
    const rrdatas = encodeWeights(weights);
    expect(rrdatas.join()).not.toContain('@t=');
    expect(decodeWeights(rrdatas)).toEqual(weights);
    expect(decodeMovedAt(rrdatas)).toBeUndefined();
    expect(decodeMovedAt(['"@t=soon;us-west1:us-central1=1"'])).toBeUndefined();
  });

  it('keeps the stamp when the weights span several TXT strings', () => {
    const many = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`location-${i}`, { 'us-central1': 0.6, 'us-east4': 0.4 }]),
    );
    const rrdatas = encodeWeights(many, 42_000);
    expect(rrdatas.length).toBeGreaterThan(1);
    for (const s of rrdatas) expect(s.length).toBeLessThanOrEqual(252);
    expect(decodeWeights(rrdatas)).toEqual(many);
    expect(decodeMovedAt(rrdatas)).toBe(42_000);
  });
});
