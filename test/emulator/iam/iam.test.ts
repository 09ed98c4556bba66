import { ApiCallError } from '../../../shared/core/errors';
import { IamClient } from '../../../shared/gcp/iam-rest';
import { startTwin, type Twin } from '../../helpers/twin';

describe('IAM emulator: service accounts and the project policy', () => {
  let w: Twin;
  let iam: IamClient;
  const project = 'iam-test-project';

  beforeAll(async () => {
    w = await startTwin({ project });
    // georoute's own REST client: no official IAM client library is used (shared/gcp/iam-rest.ts).
    iam = new IamClient({ projectId: project, emulator: w.emu.restUrl });
  });
  afterAll(() => w.close());

  /** Raw requests: no official IAM client library is used here, and these send what IamClient cannot (bad ids). */
  const raw = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${w.emu.restUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as { error?: { code: number; status: string; message: string } },
    };
  };

  test('create, get (by email or unique id), list, duplicate, delete', async () => {
    const sa = await iam.createServiceAccount('fn-reconcile', 'reconcile function');
    expect(sa).toMatchObject({
      name: `projects/${project}/serviceAccounts/fn-reconcile@${project}.iam.gserviceaccount.com`,
      email: `fn-reconcile@${project}.iam.gserviceaccount.com`,
      displayName: 'reconcile function',
    });
    expect(sa.uniqueId).toMatch(/^\d{21}$/);
    expect(await iam.getServiceAccount('fn-reconcile')).toEqual(sa);
    expect((await raw('GET', `/v1/projects/-/serviceAccounts/${sa.uniqueId}`)).body).toEqual(sa);
    expect((await iam.listServiceAccounts()).accounts).toEqual([sa]);
    const dup = await raw('POST', `/v1/projects/${project}/serviceAccounts`, { accountId: 'fn-reconcile' });
    expect(dup.status).toBe(409);
    expect(dup.body.error?.status).toBe('ALREADY_EXISTS');
    const bad = await raw('POST', `/v1/projects/${project}/serviceAccounts`, { accountId: 'Bad_Id' });
    expect([bad.status, bad.body.error?.status]).toEqual([400, 'INVALID_ARGUMENT']);
    const short = await raw('POST', `/v1/projects/${project}/serviceAccounts`, { accountId: 'abc' });
    expect(short.status).toBe(400);
    await iam.deleteServiceAccount('fn-reconcile');
    expect(await iam.getServiceAccount('fn-reconcile')).toBeUndefined();
    const gone = await raw(
      'DELETE',
      `/v1/projects/${project}/serviceAccounts/fn-reconcile@${project}.iam.gserviceaccount.com`,
    );
    expect([gone.status, gone.body.error?.status]).toEqual([404, 'NOT_FOUND']);
    expect(await iam.listServiceAccounts()).toEqual({});
  });

  test('setIamPolicy: etag precondition (stale → 409 ABORTED), members must exist, deleted members shown as deleted:', async () => {
    const empty = await iam.getProjectPolicy();
    expect(empty).toEqual({ version: 1, etag: 'ACAB' });
    await iam.createServiceAccount('fn-health', 'health');
    const member = `serviceAccount:fn-health@${project}.iam.gserviceaccount.com`;
    const set = await iam.setProjectPolicy({ ...empty, bindings: [{ role: 'roles/dns.admin', members: [member] }] });
    expect(set.etag).not.toBe(empty.etag);
    expect(set.bindings).toEqual([{ role: 'roles/dns.admin', members: [member] }]);

    const stale = await raw('POST', `/v1/projects/${project}:setIamPolicy`, { policy: { ...empty, bindings: [] } });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.status).toBe('ABORTED');
    expect(stale.body.error?.message).toMatch(
      /^There were concurrent policy changes\. Please retry the whole read-modify-write/,
    );
    await expect(iam.setProjectPolicy({ ...empty, bindings: [] })).rejects.toMatchObject({ status: 409 });
    expect(await iam.getProjectPolicy()).toEqual(set);

    const missing = await raw('POST', `/v1/projects/${project}:setIamPolicy`, {
      policy: {
        etag: set.etag,
        bindings: [
          { role: 'roles/viewer', members: [`serviceAccount:nobody-here@${project}.iam.gserviceaccount.com`] },
        ],
      },
    });
    expect([missing.status, missing.body.error?.status]).toEqual([400, 'INVALID_ARGUMENT']);
    const badRole = await raw('POST', `/v1/projects/${project}:setIamPolicy`, {
      policy: { etag: set.etag, bindings: [{ role: 'dns.admin', members: [member] }] },
    });
    expect(badRole.status).toBe(400);

    await iam.deleteServiceAccount('fn-health');
    const after = await iam.getProjectPolicy();
    expect(after.bindings?.[0]?.members[0]).toMatch(new RegExp(`^deleted:${member}\\?uid=\\d+$`));
    expect(after.etag).not.toBe(set.etag);
  });

  test('getIamPolicy is a read, setIamPolicy a write in the request log; faults apply to the iam api', async () => {
    const mark = await w.control.mark();
    const policy = await iam.getProjectPolicy();
    await iam.setProjectPolicy(policy);
    const { requests } = await w.control.requests({ since: mark, api: 'iam' });
    expect(requests.map((r) => [r.path.split(':').pop(), r.write])).toEqual([
      ['getIamPolicy', false],
      ['setIamPolicy', true],
    ]);
    await w.control.addFault({ api: 'iam', statuses: [503], count: 1 });
    await expect(iam.getProjectPolicy()).rejects.toBeInstanceOf(ApiCallError);
    expect((await iam.getProjectPolicy()).etag).toBeDefined();
  });
});
