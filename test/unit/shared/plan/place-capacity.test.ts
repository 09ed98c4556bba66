import { placeCapacity } from '../../../../shared/plan';
import { baseInput, exampleConfig, unhealthy, withObserved } from '../fixtures/planner';

const config = exampleConfig();
const light = Object.fromEntries(config.clientLocations.map((l) => [l.location, 1]));
const input = baseInput(config, { load: light });

describe('placeCapacity', () => {
  it('grants in the requested region when it has room', () => {
    expect(placeCapacity(input, { requestId: 'a', region: 'us-east4', replicas: 5 })).toMatchObject({
      placements: [{ region: 'us-east4', replicas: 5 }],
      status: 'granted',
    });
  });

  it('places near a client location, nearest region first', () => {
    expect(placeCapacity(input, { requestId: 'a', near: 'us-west1', replicas: 3 }).placements).toEqual([
      { region: 'us-central1', replicas: 3 },
    ]);
  });

  it('spills beyond maxReplicas to the next-nearest region of the same residency', () => {
    const r = placeCapacity(input, { requestId: 'a', region: 'us-east4', replicas: 12 });
    expect(r.status).toBe('granted');
    expect(r.placements).toEqual([
      { region: 'us-east4', replicas: 8 },
      { region: 'us-central1', replicas: 4 },
    ]);
  });

  it('is partial when the residency group runs out, never leaving it', () => {
    const r = placeCapacity(input, { requestId: 'a', near: 'europe-west1', replicas: 14 });
    expect(r.status).toBe('partial');
    expect(r.placements).toEqual([{ region: 'europe-west4', replicas: 10 }]);
    expect(r.reason).toMatch(/residency 'eu'/);
  });

  it('skips stocked-out and drained regions, and rejects when nothing is left', () => {
    const i = withObserved(input, { 'europe-west4': { stockout: true } });
    const r = placeCapacity(i, { requestId: 'a', near: 'europe-west3', replicas: 2 });
    expect(r).toMatchObject({ status: 'rejected', placements: [] });
    expect(r.reason).toMatch(/europe-west4: stockout/);
    const d = withObserved(input, { 'us-east4': unhealthy() });
    expect(placeCapacity(d, { requestId: 'b', region: 'us-east4', replicas: 2 }).placements).toEqual([
      { region: 'us-central1', replicas: 2 },
    ]);
  });

  it('honours the GPU budget: only the increase over the current floor costs', () => {
    // Budget 36, mins use 7: 29 left. us-central1 floor 2 → 10 costs 8.
    const tight = { ...config, gpuBudget: { maxTotalAccelerators: 10 } };
    const r = placeCapacity(baseInput(tight, { load: light }), { requestId: 'a', region: 'us-central1', replicas: 8 });
    // 10 - 7 = 3 spare accelerators: floor 2 → 5; the next region only counts the floor it already has.
    expect(r).toMatchObject({
      status: 'partial',
      placements: [
        { region: 'us-central1', replicas: 5 },
        { region: 'us-east4', replicas: 1 },
      ],
    });
    expect(r.reason).toMatch(/us-central1: GPU budget/);
  });

  it('filters by accelerator type', () => {
    expect(
      placeCapacity(input, { requestId: 'a', near: 'us-west1', replicas: 1, accelerator: 'nvidia-h100-80gb' }),
    ).toMatchObject({ status: 'rejected' });
  });

  it('is idempotent per requestId: a redelivered request returns its placements', () => {
    const i = { ...input, floors: [{ requestId: 'a', region: 'us-east4', replicas: 5 }] };
    expect(placeCapacity(i, { requestId: 'a', region: 'us-east4', replicas: 5 })).toEqual({
      placements: [{ region: 'us-east4', replicas: 5 }],
      status: 'granted',
      reason: 'already placed (same requestId)',
    });
  });

  it('rejects malformed requests', () => {
    expect(placeCapacity(input, { requestId: 'a', replicas: 1 }).status).toBe('rejected');
    expect(placeCapacity(input, { requestId: 'a', region: 'us-west2', replicas: 1 }).status).toBe('rejected');
    expect(placeCapacity(input, { requestId: 'a', region: 'us-east4', replicas: 0 }).status).toBe('rejected');
  });
});
