/**
 * `npm run bench`: runs the benchmark suite and writes docs/BENCHMARKS.md.
 * Options: `--only=cold,failover,burst,planner,rest,native` (default: all), `--reps=N` (default 5),
 * `--out=FILE` (default docs/BENCHMARKS.md; `-` prints only).
 */
import path from 'node:path';
import { burst } from './burst';
import { coldStart } from './cold-start';
import { ROOT } from './configs';
import { machine } from './machine';
import { nativeBaseline } from './native-baseline';
import { plannerScale } from './planner-scale';
import { atRest, failover } from './reconcile-benches';
import { renderSection, type Section, writeReport } from './report';

const BENCHES: Record<string, (reps: number) => Promise<Section>> = {
  cold: coldStart,
  failover,
  burst,
  planner: plannerScale,
  rest: atRest,
  native: nativeBaseline,
};

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export async function runBenchmarks(
  options: { only?: string[]; reps?: number; out?: string } = {},
): Promise<Section[]> {
  const reps = options.reps ?? 5;
  const names = options.only ?? Object.keys(BENCHES);
  const sections: Section[] = [];
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown benchmark '${name}' (known: ${Object.keys(BENCHES).join(', ')})`);
    const start = Date.now();
    process.stderr.write(`bench ${name}…\n`);
    const section = await bench(reps);
    process.stderr.write(`${renderSection(section)}\n(${((Date.now() - start) / 1000).toFixed(1)} s)\n\n`);
    sections.push(section);
  }
  if (options.out !== '-') {
    const file = options.out ?? path.join(ROOT, 'docs', 'BENCHMARKS.md');
    writeReport(file, machine(), sections, [`**Repetitions**: ${reps} (some benchmarks run more, see each method)`]);
    process.stderr.write(`wrote ${file}\n`);
  }
  return sections;
}

if (require.main === module) {
  const only = arg('only')?.split(',').filter(Boolean);
  const reps = arg('reps') ? Number(arg('reps')) : undefined;
  runBenchmarks({ only, reps, out: arg('out') }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
