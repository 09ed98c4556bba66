import { diffPlans, formatChange, plan } from '../../../../shared/plan';
import { baseInput, exampleConfig, unhealthy, withObserved } from '../fixtures/planner';

// EU allowed to fall back to anycast, so draining its only region changes the EU locations' fallback.
const config = { ...exampleConfig(), residencyFallback: { eu: 'anycast' as const } };

describe('diffPlans', () => {
  it('is empty for identical plans', () => {
    const a = plan(baseInput(config)).plan;
    expect(diffPlans(a, structuredClone(a))).toEqual([]);
  });

  it('lists weight, fallback and region changes, sorted', () => {
    const a = plan(baseInput(config)).plan;
    const b = plan(withObserved(baseInput(config, { current: a }), { 'europe-west4': unhealthy() })).plan;
    const changes = diffPlans(a, b);
    expect(changes).toEqual(
      expect.arrayContaining([
        { subject: 'location/europe-west1', field: 'fallback', from: null, to: 'anycast' },
        { subject: 'location/europe-west1', field: 'weights.europe-west4', from: 1, to: 0 },
        { subject: 'region/europe-west4', field: 'capacityScaler', from: 1, to: 0 },
        { subject: 'region/europe-west4', field: 'state', from: 'serving', to: 'drained' },
      ]),
    );
    const keys = changes.map((c) => `${c.subject} ${c.field}`);
    expect(keys).toEqual([...keys].sort());
    expect(formatChange(changes.find((c) => c.field === 'capacityScaler')!)).toBe(
      '- region/europe-west4 capacityScaler: 1 → 0',
    );
  });

  it('from nothing, everything is new', () => {
    const b = plan(baseInput(config)).plan;
    const changes = diffPlans(null, b);
    expect(changes.every((c) => c.from === null || c.from === 0)).toBe(true);
    expect(changes.length).toBeGreaterThan(0);
  });
});
