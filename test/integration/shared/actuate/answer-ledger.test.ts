import { AnswerLedger } from '../../../../shared/actuate/answer-ledger';
import { readLedger } from '../../../../shared/state/ledger';
import { testConfig } from '../../../helpers/stack';
import { startWorld, type World } from '../../../helpers/world';

/**
 * Two duplicates of one capacity request claiming in the same second, from two function instances:
 * exactly one may win. The claim token doubles as "was this lost answer mine?", so two claims must
 * never draw the same token; with three random digits they did once in a thousand races (found by
 * test/chaos/soak.test.ts: two requests answered twice in a virtual week).
 */
const config = testConfig();
let w: World;
beforeAll(async () => {
  w = await startWorld(config, { boot: false });
});
afterAll(() => w.close());

test('two instances claiming one request in the same second: one wins, even when their dice are close', async () => {
  const a = new AnswerLedger(w.gcp, config.project, config.loadBalancer.backendService);
  const b = new AnswerLedger(w.gcp, config.project, config.loadBalancer.backendService);
  const now = w.emu.ctx.clock.now();
  const dice = jest.spyOn(Math, 'random');
  try {
    dice.mockReturnValueOnce(0.5001); // the same thousandth, different millionths
    expect(await a.claimAll(['same-second'], now)).toEqual([true]);
    dice.mockReturnValueOnce(0.5004);
    expect(await b.claimAll(['same-second'], now + 200)).toEqual([false]);
  } finally {
    dice.mockRestore();
  }
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  expect(Object.values(readLedger(bs.description))).toHaveLength(1);
});
