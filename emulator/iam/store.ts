/** A service account as the IAM v1 API shows it. */
export interface ServiceAccount {
  name: string;
  projectId: string;
  uniqueId: string;
  email: string;
  displayName?: string;
  description?: string;
  etag: string;
  oauth2ClientId: string;
}

export interface Binding {
  role: string;
  members: string[];
  condition?: unknown;
}

export interface Policy {
  version: number;
  etag: string;
  bindings: Binding[];
}

export interface IamProject {
  accounts: Record<string, ServiceAccount>;
  policy: Policy;
  /** Bumped on every policy write; the etag is derived from it. */
  policySeq: number;
}

export interface IamState {
  projects: Record<string, IamProject>;
  nextUniqueId: number;
}

/** The etag Google answers for a policy that has never been written (base64 of bytes 0x00 0x20). */
export const EMPTY_POLICY_ETAG = 'ACAB';

export const emptyState = (): IamState => ({ projects: {}, nextUniqueId: 1 });

export function projectOf(state: IamState, project: string): IamProject {
  let p = state.projects[project];
  if (!p) {
    p = { accounts: {}, policy: { version: 1, etag: EMPTY_POLICY_ETAG, bindings: [] }, policySeq: 0 };
    state.projects[project] = p;
  }
  return p;
}

/** An opaque etag that changes on every write, like Google's (base64 of 8 bytes). */
export function etagOf(seq: number): string {
  const buf = Buffer.alloc(8);
  buf.writeUInt32BE(0x07060000, 0);
  buf.writeUInt32BE(seq, 4);
  return buf.toString('base64');
}
