import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimulationRecord } from '../../demo/runner';
import { simulateQuietly } from '../helpers/simulate';
import { distinctColours } from './png';

/**
 * An alert policy opening and closing incidents every 30 s must not flap the routing: the region is
 * drained once, held while the alerts flap, and ramps back one step per window once they stop.
 * The report the run writes is opened in headless Chromium.
 */
const REGION = 'asia-southeast1';
let record: SimulationRecord;
let reportPath: string;

beforeAll(async () => {
  const out = await simulateQuietly(path.join(__dirname, '../../examples/scenarios/flapping-health.yaml'), {
    reportDir: mkdtempSync(path.join(os.tmpdir(), 'georoute-report-')),
  });
  record = out.record;
  reportPath = out.reportPath!;
}, 300_000);

test('16 incident notifications flap, the capacityScaler drains once and climbs the ramp', () => {
  expect(record.steps.filter((s) => s.action === 'incident')).toHaveLength(16);
  const changes = record.events.filter((e) => e.kind === 'scaler' && e.region === REGION);
  const values = changes.map((e) => (e.kind === 'scaler' ? e.to : -1));
  // Drained once; then only upward ramp steps — never drained again.
  expect(values[0]).toBe(0);
  expect(values.filter((v) => v === 0)).toHaveLength(1);
  for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
  // At most one change per guardrail window: no two changes closer than the healthy window.
  const g = record.config.guardrails;
  for (let i = 1; i < changes.length; i++)
    expect(changes[i]!.at - changes[i - 1]!.at).toBeGreaterThanOrEqual(g.minHealthyWindowSec * 1000);
  // While the alerts flap, the region stays drained.
  const flaps = record.steps.filter((s) => s.action === 'incident');
  const lastFlap = flaps.at(-1)!.at;
  expect(changes.filter((e) => e.at > changes[0]!.at && e.at <= lastFlap)).toEqual([]);
});

test('its locations leave it once: DNS never answers with it again while the alerts flap', () => {
  const drain = record.events.find((e) => e.kind === 'scaler' && e.region === REGION && e.to === 0)!;
  const last = record.steps.filter((s) => s.action === 'incident').at(-1)!.at;
  const dns = record.events.filter((e) => e.kind === 'dns' && e.at <= last);
  // The drain moved its locations away…
  expect(dns.some((e) => e.kind === 'dns' && e.from.includes(REGION) && !e.to.includes(REGION))).toBe(true);
  // …and no answer pointed to it again until the alerts stopped.
  const back = dns.filter(
    (e) => e.kind === 'dns' && e.at > drain.at && e.to.includes(REGION) && !e.from.includes(REGION),
  );
  expect(back).toEqual([]);
});

test('the report renders offline in headless Chromium', async () => {
  const executablePath = '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`${executablePath} is missing: install it with 'apt-get install chromium' (CI installs it)`);
  const html = readFileSync(reportPath, 'utf8');
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/i);
  expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6);

  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'georoute-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1100, height: 1400 },
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
    await page.goto(`file://${reportPath}`);
    const svgs = page.locator('svg');
    const count = await svgs.count();
    expect(count).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < count; i++) {
      expect(await svgs.nth(i).locator('path').count()).toBeGreaterThan(0);
      expect((await svgs.nth(i).boundingBox())?.width ?? 0).toBeGreaterThan(200);
    }
    const shot = await page.screenshot();
    const blank = await (async () => {
      const p = await context.newPage();
      await p.setContent('<html><body></body></html>');
      const b = await p.screenshot();
      await p.close();
      return b;
    })();
    expect(distinctColours(blank)).toBeLessThan(3);
    expect(distinctColours(shot)).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}, 30_000);
