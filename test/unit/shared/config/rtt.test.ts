import { buildRttModel, estimateRttMs, REGIONS, zonesOf } from '../../../../shared/config';

describe('RTT model', () => {
  it('is symmetric, 1 ms within a region, and plausible between continents', () => {
    expect(estimateRttMs('us-central1', 'us-central1')).toBe(1);
    expect(estimateRttMs('us-central1', 'europe-west4')).toBe(estimateRttMs('europe-west4', 'us-central1'));
    // Iowa ↔ Netherlands: ~7 000 km → ~110 ms (measured ~100–110).
    expect(estimateRttMs('us-central1', 'europe-west4')).toBeGreaterThan(80);
    expect(estimateRttMs('us-central1', 'europe-west4')).toBeLessThan(140);
    // Neighbours are close.
    expect(estimateRttMs('europe-west1', 'europe-west4')).toBeLessThan(15);
    expect(estimateRttMs('us-central1', 'nowhere-1')).toBeUndefined();
  });

  it('uses overrides in both directions and the estimate otherwise', () => {
    const rtt = buildRttModel([{ from: 'asia-east1', to: 'asia-northeast1', rttMs: 38 }]);
    expect(rtt('asia-east1', 'asia-northeast1')).toBe(38);
    expect(rtt('asia-northeast1', 'asia-east1')).toBe(38);
    expect(rtt('us-east4', 'us-central1')).toBe(estimateRttMs('us-east4', 'us-central1'));
    expect(rtt('us-east4', 'unknown')).toBe(Number.POSITIVE_INFINITY);
  });

  it('knows about 40 regions with their zones', () => {
    expect(REGIONS.size).toBeGreaterThanOrEqual(40);
    expect(zonesOf('europe-west1')).toEqual(['europe-west1-b', 'europe-west1-c', 'europe-west1-d']);
    expect(zonesOf('us-central1')).toContain('us-central1-f');
  });
});
