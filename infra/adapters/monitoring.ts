import { CHANNEL_REF } from '../desired-monitoring';
import type { Adapter, AdapterContext, FieldChange, Json } from '../types';

const plain = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;
const snake = (s: string) => s.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

async function channels(ctx: AdapterContext): Promise<Json[]> {
  const [list] = await ctx.gcp.monitoring.notificationChannels.listNotificationChannels({
    name: `projects/${ctx.project}`,
  });
  return list.map(plain);
}

async function policies(ctx: AdapterContext): Promise<Json[]> {
  const [list] = await ctx.gcp.monitoring.alertPolicies.listAlertPolicies({ name: `projects/${ctx.project}` });
  return list.map(plain);
}

/** Channel references (`@channel:<displayName>`) → channel names, and back. */
async function resolveChannels(ctx: AdapterContext, refs: unknown): Promise<string[]> {
  const all = await channels(ctx);
  return (refs as string[]).map((ref) => {
    const found = all.find((c) => CHANNEL_REF(String(c.displayName)) === ref);
    if (!found) throw new Error(`notification channel '${ref.slice('@channel:'.length)}' does not exist`);
    return String(found.name);
  });
}

export const channelAdapter: Adapter = {
  async read(ctx, r) {
    return (await channels(ctx)).find((c) => c.displayName === r.name);
  },
  async create(ctx, r) {
    const [made] = await ctx.gcp.monitoring.notificationChannels.createNotificationChannel({
      name: `projects/${ctx.project}`,
      notificationChannel: r.body,
    });
    ctx.progress(`  ${r.id}: created ${made.name}`);
  },
  async update(ctx, r, live, changes) {
    await ctx.gcp.monitoring.notificationChannels.updateNotificationChannel({
      notificationChannel: { ...r.owned, name: String(live.name) },
      updateMask: { paths: changes.map((c) => snake(c.field)) },
    });
  },
  async remove(ctx, _r, live) {
    await ctx.gcp.monitoring.notificationChannels.deleteNotificationChannel({ name: String(live.name), force: true });
  },
};

export const alertPolicyAdapter: Adapter = {
  async read(ctx, r) {
    const live = (await policies(ctx)).find((p) => p.displayName === r.name);
    if (!live) return undefined;
    // Compare channels by display name: their ids are server-assigned.
    const byName = new Map((await channels(ctx)).map((c) => [String(c.name), CHANNEL_REF(String(c.displayName))]));
    const refs = ((live.notificationChannels as string[] | undefined) ?? []).map((n) => byName.get(n) ?? n);
    return { ...live, notificationChannels: refs, liveChannels: live.notificationChannels };
  },
  async create(ctx, r) {
    const alertPolicy = { ...r.body, notificationChannels: await resolveChannels(ctx, r.body.notificationChannels) };
    const [made] = await ctx.gcp.monitoring.alertPolicies.createAlertPolicy({
      name: `projects/${ctx.project}`,
      alertPolicy,
    });
    ctx.progress(`  ${r.id}: created ${made.name}`);
  },
  async update(ctx, r, live, changes: FieldChange[]) {
    const alertPolicy: Json = { name: String(live.name) };
    for (const ch of changes) {
      alertPolicy[ch.field] =
        ch.field === 'notificationChannels'
          ? await resolveChannels(ctx, r.owned.notificationChannels)
          : r.owned[ch.field];
    }
    await ctx.gcp.monitoring.alertPolicies.updateAlertPolicy({
      alertPolicy,
      updateMask: { paths: changes.map((c) => snake(c.field)) },
    });
  },
  async remove(ctx, _r, live) {
    await ctx.gcp.monitoring.alertPolicies.deleteAlertPolicy({ name: String(live.name) });
  },
};
