import { ApiError } from '../core/api-error';
import { clone, isPlainObject } from '../core/merge-patch';
import type { ApiRequest, Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import {
  type Binding,
  emptyState,
  etagOf,
  type IamProject,
  type IamState,
  type Policy,
  projectOf,
  type ServiceAccount,
} from './store';

const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
const ROLE = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;
const MEMBER =
  /^(allUsers|allAuthenticatedUsers|(user|group|serviceAccount|domain|principal|principalSet|deleted:user|deleted:group|deleted:serviceAccount):\S+)$/;

const invalidArgument = (message: string) => ApiError.of('INVALID_ARGUMENT', message, { reason: 'badRequest' });
const notFound = (message: string) => ApiError.of('NOT_FOUND', message, { reason: 'notFound' });

/**
 * A minimal IAM: service accounts (`iam.googleapis.com/v1/projects/{p}/serviceAccounts`) and the
 * project IAM policy (`cloudresourcemanager.googleapis.com/v1/projects/{p}:getIamPolicy|setIamPolicy`)
 * with etag preconditions. Both hosts' paths are served on the twin's one REST port (api `iam`).
 */
export class IamService implements EmulatorService {
  readonly name = 'iam';
  state: IamState = emptyState();

  constructor(readonly ctx: EmulatorContext) {}

  register(router: Router): void {
    const base = '/v1/projects/:project/serviceAccounts';
    router.add('POST', base, { api: 'iam' }, (req) => this.create(req));
    router.get(base, 'iam', (req) => this.list(req));
    router.get(`${base}/:account`, 'iam', (req) => this.get(req.params.project!, req.params.account!));
    router.add('DELETE', `${base}/:account`, { api: 'iam' }, (req) => this.remove(req));
    router.add('POST', '/v1/projects/:project::getIamPolicy', { api: 'iam', write: false }, (req) =>
      this.getPolicy(req.params.project!),
    );
    router.add('POST', '/v1/projects/:project::setIamPolicy', { api: 'iam' }, (req) => this.setPolicy(req));
    router.get('/__emulator/iam/state', 'control', () => clone(this.state));
  }

  snapshot(): IamState {
    return clone(this.state);
  }

  restore(state: unknown): void {
    if (!isPlainObject(state) || !isPlainObject(state.projects)) throw invalidArgument('bad IAM state');
    this.state = clone(state) as unknown as IamState;
  }

  reset(): void {
    this.state = emptyState();
  }

  private create(req: ApiRequest): ServiceAccount {
    const project = req.params.project!;
    const body = isPlainObject(req.body) ? req.body : {};
    const accountId = body.accountId;
    if (typeof accountId !== 'string' || accountId.length < 6 || accountId.length > 30 || !ACCOUNT_ID.test(accountId)) {
      throw invalidArgument(
        `Invalid account ID '${String(accountId ?? '')}': it must be 6-30 characters long and match [a-z]([-a-z0-9]*[a-z0-9]).`,
      );
    }
    const sa = isPlainObject(body.serviceAccount) ? body.serviceAccount : {};
    const p = projectOf(this.state, project);
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    if (p.accounts[email]) {
      throw ApiError.of(
        'ALREADY_EXISTS',
        `Service account ${accountId} already exists within project projects/${project}.`,
        {
          reason: 'alreadyExists',
        },
      );
    }
    const uniqueId = String(100_000_000_000_000_000_000n + BigInt(this.state.nextUniqueId++));
    const account: ServiceAccount = {
      name: `projects/${project}/serviceAccounts/${email}`,
      projectId: project,
      uniqueId,
      email,
      ...(typeof sa.displayName === 'string' && sa.displayName ? { displayName: sa.displayName } : {}),
      ...(typeof sa.description === 'string' && sa.description ? { description: sa.description } : {}),
      etag: 'MDEwMjE5MjA=',
      oauth2ClientId: uniqueId,
    };
    p.accounts[email] = account;
    return clone(account);
  }

  private list(req: ApiRequest): { accounts?: ServiceAccount[] } {
    const accounts = Object.values(projectOf(this.state, req.params.project!).accounts);
    return accounts.length ? { accounts: clone(accounts) } : {};
  }

  /** `{account}` is the email or the unique id; the project may be `-` (any). */
  private find(project: string, account: string): { p: IamProject; sa: ServiceAccount } {
    const projects = project === '-' ? Object.values(this.state.projects) : [projectOf(this.state, project)];
    for (const p of projects) {
      const sa = Object.values(p.accounts).find((a) => a.email === account || a.uniqueId === account);
      if (sa) return { p, sa };
    }
    throw notFound(`Unknown service account`);
  }

  private get(project: string, account: string): ServiceAccount {
    return clone(this.find(project, account).sa);
  }

  private remove(req: ApiRequest): Record<string, never> {
    const { p, sa } = this.find(req.params.project!, req.params.account!);
    delete p.accounts[sa.email];
    // Google keeps the bindings and shows the member as deleted (with its unique id).
    const member = `serviceAccount:${sa.email}`;
    const owner = this.state.projects[sa.projectId];
    if (owner?.policy.bindings.some((b) => b.members.includes(member))) {
      for (const b of owner.policy.bindings) {
        b.members = b.members.map((m) => (m === member ? `deleted:${member}?uid=${sa.uniqueId}` : m));
      }
      this.bumpPolicy(owner);
    }
    return {};
  }

  private getPolicy(project: string): Partial<Policy> {
    return policyView(projectOf(this.state, project).policy);
  }

  private setPolicy(req: ApiRequest): Partial<Policy> {
    const project = req.params.project!;
    const body = isPlainObject(req.body) ? req.body : {};
    if (!isPlainObject(body.policy)) throw invalidArgument('Request contains an invalid argument.');
    const p = projectOf(this.state, project);
    const policy = body.policy;
    if (typeof policy.etag === 'string' && policy.etag !== p.policy.etag) {
      throw ApiError.of(
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
        { reason: 'aborted' },
      );
    }
    const bindings = validateBindings(policy.bindings, (email) => this.accountExists(email));
    p.policy = { version: typeof policy.version === 'number' ? policy.version : 1, etag: p.policy.etag, bindings };
    this.bumpPolicy(p);
    return policyView(p.policy);
  }

  private accountExists(email: string): boolean {
    const m = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email);
    if (!m) return true; // Google-managed and other projects' accounts are not modelled: accepted.
    const owner = this.state.projects[m[1]!];
    return Boolean(owner?.accounts[email]);
  }

  private bumpPolicy(p: IamProject): void {
    p.policySeq++;
    p.policy.etag = etagOf(p.policySeq);
  }
}

function policyView(policy: Policy): Partial<Policy> {
  const out: Partial<Policy> = { version: policy.version, etag: policy.etag };
  if (policy.bindings.length) out.bindings = clone(policy.bindings);
  return out;
}

/** Validates bindings the way Resource Manager does; members of one role are merged, empty bindings dropped. */
function validateBindings(raw: unknown, exists: (email: string) => boolean): Binding[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidArgument('Invalid JSON payload received. Expected a list for bindings.');
  const out: Binding[] = [];
  raw.forEach((b, i) => {
    if (!isPlainObject(b) || typeof b.role !== 'string' || !ROLE.test(b.role)) {
      throw invalidArgument(
        `Role (${isPlainObject(b) ? String(b.role) : ''}) does not exist in the resource's hierarchy.`,
      );
    }
    const members = Array.isArray(b.members) ? b.members : [];
    for (const m of members) {
      if (typeof m !== 'string' || !MEMBER.test(m))
        throw invalidArgument(`Invalid member type for member ${String(m)} (bindings[${i}]).`);
      if (m.startsWith('serviceAccount:') && !exists(m.slice('serviceAccount:'.length))) {
        throw invalidArgument(`Service account ${m.slice('serviceAccount:'.length)} does not exist.`);
      }
    }
    if (members.length === 0) return;
    const condition = b.condition;
    const same = out.find((x) => x.role === b.role && JSON.stringify(x.condition) === JSON.stringify(condition));
    if (same) {
      for (const m of members as string[]) if (!same.members.includes(m)) same.members.push(m);
    } else {
      out.push({ role: b.role, members: [...new Set(members as string[])], ...(condition ? { condition } : {}) });
    }
  });
  return out;
}
