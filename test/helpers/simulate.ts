import { type SimulateOptions, type SimulationRecord, simulate } from '../../demo/runner';

/**
 * Plays a scenario at the fast pace with no console output (demo/runner.ts) and returns its record,
 * or throws the scenario's errors: the beforeAll of every test that reads a whole run.
 */
export async function simulateQuietly(
  scenarioFile: string,
  options: Omit<SimulateOptions, 'scenarioFile' | 'pace' | 'quiet' | 'print'> = {},
): Promise<{ record: SimulationRecord; reportPath?: string }> {
  const result = await simulate({ ...options, scenarioFile, pace: 'fast', quiet: true, print: () => undefined });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return { record: result.record, reportPath: result.reportPath };
}
