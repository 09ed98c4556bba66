import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { main } from '../../cli/main';

const ROOT = join(__dirname, '..', '..');

interface Step {
  id: string;
  name: string;
  entrypoint: string;
  args: string[];
}

const build = parse(readFileSync(join(ROOT, 'cloudbuild.yaml'), 'utf8')) as {
  steps: Step[];
  substitutions: Record<string, string>;
  serviceAccount?: string;
  timeout?: string;
  options?: { logging?: string };
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  bin: Record<string, string>;
};
const step = (id: string) => build.steps.find((s) => s.id === id) as Step;
const deploySteps = build.steps.filter((s) => s.args.join(' ').includes('gcloud functions deploy'));

/** `--flag=value` pairs of a gcloud command line (continuation lines joined). */
function flags(script: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of script.replace(/\\\n/g, ' ').matchAll(/--([a-z0-9-]+)(?:=(\S+))?/g)) out[m[1]!] = m[2] ?? 'true';
  return out;
}

describe('cloudbuild.yaml', () => {
  test('runs on a new project: a named build service account, its logs in Cloud Logging, a GPU-stack timeout', () => {
    // New projects may build as the Compute Engine default account; a user-specified one needs
    // CLOUD_LOGGING_ONLY (or a user bucket): https://cloud.google.com/build/docs/securing-builds/configure-user-specified-service-accounts
    expect(build.serviceAccount).toMatch(
      /^projects\/\$PROJECT_ID\/serviceAccounts\/[a-z][-a-z0-9]+@\$PROJECT_ID\.iam\.gserviceaccount\.com$/,
    );
    expect(build.options?.logging).toBe('CLOUD_LOGGING_ONLY');
    expect(Number.parseInt(build.timeout ?? '0', 10)).toBeGreaterThan(3600); // default 60 min
    // node:22 has no browser: the test step installs the one the report test drives.
    expect(step('test').args.join(' ')).toMatch(/apt-get install -y -qq chromium[\s\S]*npm test/);
  });

  test('every $ in a step is a substitution Cloud Build knows, or escaped ($$) for the shell', () => {
    // https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values
    const builtins = ['PROJECT_ID', 'PROJECT_NUMBER', 'BUILD_ID', 'LOCATION', 'SERVICE_ACCOUNT_EMAIL', 'COMMIT_SHA'];
    const known = new Set([...builtins, ...Object.keys(build.substitutions)]);
    const text = [JSON.stringify(build.serviceAccount), ...build.steps.flatMap((s) => s.args)].join('\n');
    const used = [...text.replace(/\$\$/g, '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    expect(used.filter((v) => !known.has(v as string))).toEqual([]);
  });

  test('gives every Eventarc subscription the dead-letter topic (Eventarc creates them without one)', () => {
    const script = step('dead-letters').args.join(' ');
    for (const fn of ['georoute-capacity-request', 'georoute-health-alert', 'georoute-reconcile'])
      expect(script).toContain(fn);
    expect(script).toMatch(/gcloud pubsub subscriptions update [\s\S]*--dead-letter-topic=/);
    expect(script).toMatch(/--role=roles\/pubsub\.publisher/);
    expect(script).toMatch(/--role=roles\/pubsub\.subscriber/);
    const order = build.steps.map((s) => s.id);
    expect(order.indexOf('dead-letters')).toBeGreaterThan(order.indexOf('deploy-reconcile'));
  });

  test('runs npm ci → npm test → validate-config → bootstrap --yes → deploys → scheduler, in that order', () => {
    const order = build.steps.map((s) => s.id);
    expect(order.slice(0, 4)).toEqual(['install', 'test', 'validate-config', 'bootstrap']);
    expect(order.at(-1)).toBe('reconcile-tick');
    expect(step('bootstrap').args).toEqual(['georoute', 'bootstrap', '--config', '$_CONFIG', '--yes']);
    expect(Object.keys(build.substitutions).sort()).toEqual([
      '_CONCURRENCY',
      '_CONFIG',
      '_CPU',
      '_MAX_INSTANCES',
      '_MEMORY',
      '_MIN_INSTANCES',
      '_REGION',
      '_RUNTIME',
      '_TIMEOUT',
    ]);
    // Coalescing needs concurrent requests in one instance, which needs at least one vCPU.
    expect(Number(build.substitutions._CONCURRENCY)).toBeGreaterThan(1);
    expect(Number(build.substitutions._CPU)).toBeGreaterThanOrEqual(1);
    // nodejs20 was decommissioned on 2026-10-30: a deploy with it fails.
    expect(build.substitutions._RUNTIME).toMatch(/^nodejs(2[2-9]|[3-9]\d)$/);
  });

  test('npm steps name npm built-ins or scripts of package.json', () => {
    for (const s of build.steps.filter((x) => x.entrypoint === 'npm')) {
      const [cmd, script] = s.args;
      if (cmd === 'ci' || cmd === 'install') continue;
      expect(pkg.scripts[cmd === 'run' ? (script as string) : (cmd as string)]).toBeDefined();
    }
  });

  test('npx georoute steps name registered CLI subcommands', async () => {
    expect(pkg.bin.georoute).toBe('bin/georoute.js');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const s of build.steps.filter((x) => x.entrypoint === 'npx')) {
        expect(s.args[0]).toBe('georoute');
        // `georoute <cmd> --help` answers 0 for a registered command, 2 for an unknown one.
        expect({ command: s.args[1], exit: await main([s.args[1] as string, '--help']) }).toEqual({
          command: s.args[1],
          exit: 0,
        });
      }
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  test('the deploy-env step reads the config through the built loader and writes every variable the deploys use', () => {
    const script = step('deploy-env').args[1] as string;
    expect(script).toContain("require('./dist/shared/config/load')");
    expect(existsSync(join(ROOT, 'shared/config/load.ts'))).toBe(true);
    const written = [...script.matchAll(/^\s+([A-Z_]+): /gm)].map((m) => m[1]);
    const used = new Set(
      [
        ...build.steps
          .flatMap((s) => s.args)
          .join('\n')
          .matchAll(/\$\$\{([A-Z_]+)\}/g),
      ].map((m) => m[1]),
    );
    for (const v of used) expect(written).toContain(v);
  });

  test('each function deploy: gen2, Node 20, Pub/Sub trigger with retry, its own service account, internal only', () => {
    expect(deploySteps.map((s) => flags(s.args[1] as string)['entry-point']).sort()).toEqual([
      'capacityRequest',
      'healthAlert',
      'reconcile',
    ]);
    const topicVar: Record<string, string> = {
      capacityRequest: '$${CAPACITY_TOPIC}',
      healthAlert: '$${HEALTH_TOPIC}',
      reconcile: '$${RECONCILE_TOPIC}',
    };
    for (const s of deploySteps) {
      const f = flags(s.args[1] as string);
      const entry = f['entry-point'] as string;
      expect(f).toMatchObject({
        gen2: 'true',
        runtime: '$_RUNTIME',
        retry: 'true',
        source: '.',
        'trigger-topic': topicVar[entry],
        memory: '$_MEMORY',
        cpu: '$_CPU',
        concurrency: '$_CONCURRENCY',
        timeout: '$_TIMEOUT',
        'min-instances': '$_MIN_INSTANCES',
        'max-instances': '$_MAX_INSTANCES',
        'no-allow-unauthenticated': 'true',
        'ingress-settings': 'internal-only',
        'set-env-vars': 'GEOROUTE_CONFIG=$_CONFIG',
      });
      expect(f['service-account']).toMatch(/^\$\$\{SA_[A-Z]+\}$/);
    }
    expect(step('reconcile-tick').args[1]).toMatch(/--topic=\$\$\{RECONCILE_TOPIC\}/);
  });

  test('the entry points are registered in functions/index.ts', () => {
    const source = readFileSync(join(ROOT, 'functions/index.ts'), 'utf8');
    const registered = [...source.matchAll(/\b(?:cloudEvent|http)\(\s*'([A-Za-z]+)'/g)].map((m) => m[1]);
    for (const s of deploySteps) expect(registered).toContain(flags(s.args[1] as string)['entry-point']);
  });

  test('the entry points are registered with functions-framework by the built package main', () => {
    const built = join(ROOT, pkg.main);
    expect({ main: pkg.main, exists: existsSync(built) }).toEqual({ main: 'dist/bundle/index.js', exists: true });
    require(built);
    const { getFunction } = require('@google-cloud/functions-framework/testing') as {
      getFunction(name: string): unknown;
    };
    for (const s of deploySteps) {
      const entry = flags(s.args[1] as string)['entry-point'] as string;
      expect({ entry, registered: typeof getFunction(entry) }).toEqual({ entry, registered: 'function' });
    }
  });
});
