/**
 * A scenario as data (`examples/scenarios/*.yaml`): which config, how long, how fast, and steps at
 * virtual times. One zod schema; types are inferred from it; every error carries its path.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '../shared/config/format-issues';
import { regionInfo } from '../shared/config/regions';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `1m30s`, `1h`, or a number of seconds → milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const parts = [...value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value.trim()) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] as number), 0);
}

const duration = () =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a duration such as 90s, 5m or 1m30s (got ${JSON.stringify(v)})`,
      });
      return z.NEVER;
    }
    return ms;
  });

const region = () => z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'must be a Google Cloud region name');

const LoadSchema = z
  .strictObject({
    /** Multiplies every location's `expectedRps` from the config. */
    scale: z.number().min(0).optional(),
    /** Requests/s per location (overrides the scale for those locations). */
    locations: z.record(region(), z.number().min(0)).optional(),
  })
  .refine((l) => l.scale !== undefined || l.locations !== undefined, 'give scale and/or locations');

const ACTIONS = ['setLoad', 'failRegion', 'recoverRegion', 'stockout', 'capacityRequest', 'incident'] as const;

const StepSchema = z
  .strictObject({
    /** Virtual time from the start of the scenario. */
    at: duration(),
    /** A line for the timeline and the report. */
    note: z.string().max(200).optional(),
    /** Repeat the action `times` times, `every` apart (the first at `at`). */
    repeat: z.strictObject({ every: duration(), times: z.int().min(1).max(1000) }).optional(),
    setLoad: LoadSchema.optional(),
    failRegion: z
      .strictObject({
        region: region(),
        /** Kill every VM of the region (its MIG recreates them). */
        kill: z.boolean().default(false),
        /** Force the VMs' health (the model server is broken; survives recreation). */
        health: z.enum(['UNHEALTHY']).optional(),
        /** Share of the region's requests that fail (0..1). */
        errorRate: z.number().min(0).max(1).optional(),
      })
      .refine(
        (f) => f.kill || f.health !== undefined || f.errorRate !== undefined,
        'give kill, health and/or errorRate',
      )
      .optional(),
    recoverRegion: z.strictObject({ region: region() }).optional(),
    stockout: z
      .strictObject({
        zone: z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'must be a zone name'),
        /** Only this accelerator type (e.g. nvidia-l4); default: every machine. */
        accelerator: z.string().min(1).optional(),
        outOfStock: z.boolean().default(true),
      })
      .optional(),
    /** Published to the capacity-requests topic as is (the function validates it). */
    capacityRequest: z
      .strictObject({
        requestId: z.string().min(1),
        region: z.string().optional(),
        near: z.string().optional(),
        accelerator: z.string().min(1),
        replicas: z.int().min(1),
        durationMinutes: z.int().optional(),
        reason: z.string().optional(),
      })
      .optional(),
    /** A Monitoring notification (schema 1.2) published to the health-alerts topic, as a flapping policy sends. */
    incident: z.strictObject({ region: region(), state: z.enum(['open', 'closed']) }).optional(),
  })
  .superRefine((step, ctx) => {
    const given = ACTIONS.filter((a) => step[a] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `a step needs exactly one action of ${ACTIONS.join(', ')} (got ${given.length ? given.join(', ') : 'none'})`,
      });
  });

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().max(2_000).default(''),
  /** georoute config to bootstrap, relative to the scenario file. */
  config: z.string().min(1),
  /** Virtual length of the scenario. */
  duration: duration(),
  /**
   * Whose clock the twin runs on: `google` (default: the twin's defaults, Google's documented delays
   * and GPU boot times, docs/EMULATOR.md "Time") or `fast-cloud` (demo/stack.ts SCENARIO_TIMINGS: a
   * faster cloud, VMs serving 90 s after creation, for experiments and tests not about time).
   */
  timings: z.enum(['google', 'fast-cloud']).default('google'),
  /** Virtual-clock speed (× real time). */
  speed: z.number().min(1).max(1_000).default(50),
  /** Seed of the world's jitter and the emulator's randomness. */
  seed: z.int().default(1),
  /** Cloud Scheduler: a message on the reconcile topic this often (virtual). */
  tick: duration().prefault('1m'),
  /** Virtual time the stack runs under the initial load before the scenario starts (VMs boot, floors settle). */
  warmup: duration().prefault('12m'),
  /** Virtual seconds between world samples (Monitoring points). */
  sampleEvery: duration().prefault('30s'),
  /** Per-region table in the console this often (virtual). */
  tableEvery: duration().prefault('2m'),
  /** Load at the start (default: every location at its config `expectedRps`). */
  load: LoadSchema.default({ scale: 1 }),
  /**
   * Daily rhythm: every location's load follows its local time of day (from its longitude), peaking at
   * `peakLocalHour`; `amplitude` 0.6 swings it from 0.4× to 1.6× of `load`. `setLoad` steps change the
   * base it swings around. Local time at T+0 is `startUtcHour` UTC.
   */
  diurnal: z
    .strictObject({
      amplitude: z.number().min(0).max(1),
      peakLocalHour: z.number().min(0).max(24).default(14),
      startUtcHour: z.number().min(0).max(24).default(0),
      /** The load changes this often (virtual). */
      every: duration().prefault('5m'),
    })
    .optional(),
  steps: z.array(StepSchema).default([]),
});

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioStep = Scenario['steps'][number];
export type ScenarioAction = (typeof ACTIONS)[number];
export type LoadSpec = z.infer<typeof LoadSchema>;

export type ScenarioResult = { ok: true; scenario: Scenario; configPath: string } | { ok: false; errors: string[] };

/** Parses a scenario (YAML text or object). `file` resolves the config path. */
export function parseScenario(input: string | unknown, file = 'scenario.yaml'): ScenarioResult {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = parseYaml(input);
    } catch (err) {
      return { ok: false, errors: [`(yaml): ${(err as Error).message.split('\n')[0]}`] };
    }
  }
  const result = ScenarioSchema.safeParse(raw);
  if (!result.success) return { ok: false, errors: formatIssues(result.error.issues) };
  return { ok: true, scenario: result.data, configPath: path.resolve(path.dirname(file), result.data.config) };
}

export async function loadScenario(file: string): Promise<ScenarioResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}: cannot read file`] };
  }
  return parseScenario(text, file);
}

/** The action a step carries (the schema guarantees exactly one). */
export function actionOf(step: ScenarioStep): ScenarioAction {
  return ACTIONS.find((a) => step[a] !== undefined) as ScenarioAction;
}

/** Every occurrence of every step, in time order: `[virtual ms from start, step]`. */
export function expandSteps(steps: readonly ScenarioStep[]): Array<{ at: number; step: ScenarioStep; index: number }> {
  const out: Array<{ at: number; step: ScenarioStep; index: number }> = [];
  steps.forEach((step, index) => {
    const times = step.repeat?.times ?? 1;
    for (let k = 0; k < times; k++) out.push({ at: step.at + k * (step.repeat?.every ?? 0), step, index });
  });
  return out.sort((a, b) => a.at - b.at || a.index - b.index);
}

/** A location's load factor at virtual ms `t` from T+0 under a daily rhythm (1 without one). */
export function diurnalFactor(diurnal: Scenario['diurnal'], location: string, t: number): number {
  if (!diurnal) return 1;
  const lon = regionInfo(location)?.lon ?? 0;
  const localHour = diurnal.startUtcHour + t / 3_600_000 + lon / 15;
  return 1 + diurnal.amplitude * Math.cos((2 * Math.PI * (localHour - diurnal.peakLocalHour)) / 24);
}

/** Requests/s per location for a load spec. */
export function loadFor(spec: LoadSpec, locations: ReadonlyArray<{ location: string; expectedRps?: number }>) {
  const out: Record<string, number> = {};
  for (const l of locations) {
    const scaled = spec.scale !== undefined ? (l.expectedRps ?? 0) * spec.scale : undefined;
    const explicit = spec.locations?.[l.location];
    if (explicit !== undefined) out[l.location] = explicit;
    else if (scaled !== undefined) out[l.location] = Math.round(scaled * 100) / 100;
  }
  return out;
}
