import { ApiCallError } from '../core';

/**
 * IAM service accounts (iam.googleapis.com v1) and the project IAM policy (cloudresourcemanager v1)
 * over REST. The project's dependencies have no official IAM client, so this calls the documented
 * REST API with fetch. In production the token comes from Application Default Credentials through
 * google-auth-library (installed with the Google clients); against the local twin no credentials are sent.
 */
export interface ServiceAccountJson {
  name: string;
  email: string;
  uniqueId: string;
  displayName?: string;
  description?: string;
}

export interface IamBinding {
  role: string;
  members: string[];
  condition?: unknown;
}

export interface IamPolicyJson {
  version?: number;
  etag?: string;
  bindings?: IamBinding[];
}

export interface IamClientOptions {
  projectId: string;
  /** The local twin's REST URL; both APIs are served there. */
  emulator?: string;
  fetch?: typeof fetch;
}

export class IamClient {
  private readonly iamBase: string;
  private readonly crmBase: string;
  private readonly doFetch: typeof fetch;
  private auth: { getRequestHeaders(): Promise<unknown> } | undefined;

  constructor(private readonly options: IamClientOptions) {
    const emulator = options.emulator?.replace(/\/$/, '');
    this.iamBase = emulator ?? 'https://iam.googleapis.com';
    this.crmBase = emulator ?? 'https://cloudresourcemanager.googleapis.com';
    this.doFetch = options.fetch ?? fetch;
  }

  async getServiceAccount(accountId: string): Promise<ServiceAccountJson | undefined> {
    const email = this.email(accountId);
    try {
      return await this.call<ServiceAccountJson>(
        'GET',
        `${this.iamBase}/v1/projects/${this.options.projectId}/serviceAccounts/${encodeURIComponent(email)}`,
      );
    } catch (err) {
      if (err instanceof ApiCallError && err.status === 404) return undefined;
      throw err;
    }
  }

  listServiceAccounts(): Promise<{ accounts?: ServiceAccountJson[] }> {
    return this.call('GET', `${this.iamBase}/v1/projects/${this.options.projectId}/serviceAccounts`);
  }

  createServiceAccount(accountId: string, displayName: string): Promise<ServiceAccountJson> {
    return this.call('POST', `${this.iamBase}/v1/projects/${this.options.projectId}/serviceAccounts`, {
      accountId,
      serviceAccount: { displayName },
    });
  }

  async deleteServiceAccount(accountId: string): Promise<void> {
    const email = this.email(accountId);
    await this.call(
      'DELETE',
      `${this.iamBase}/v1/projects/${this.options.projectId}/serviceAccounts/${encodeURIComponent(email)}`,
    );
  }

  getProjectPolicy(): Promise<IamPolicyJson> {
    return this.call('POST', `${this.crmBase}/v1/projects/${this.options.projectId}:getIamPolicy`, {
      options: { requestedPolicyVersion: 3 },
    });
  }

  /** Fails with 409 (ABORTED) when `policy.etag` is stale: re-read and retry the whole read-modify-write. */
  setProjectPolicy(policy: IamPolicyJson): Promise<IamPolicyJson> {
    return this.call('POST', `${this.crmBase}/v1/projects/${this.options.projectId}:setIamPolicy`, { policy });
  }

  email(accountId: string): string {
    return accountId.includes('@') ? accountId : `${accountId}@${this.options.projectId}.iam.gserviceaccount.com`;
  }

  private async headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.emulator) return headers;
    if (!this.auth) {
      const { GoogleAuth } = require('google-auth-library') as typeof import('google-auth-library');
      this.auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    }
    const auth = (await this.auth.getRequestHeaders()) as Headers | Record<string, string>;
    const authorization =
      typeof (auth as Headers).get === 'function'
        ? (auth as Headers).get('authorization')
        : (auth as Record<string, string>).Authorization;
    if (authorization) headers.authorization = authorization;
    return headers;
  }

  private async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await this.doFetch(url, {
      method,
      headers: await this.headers(),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : {};
    if (!res.ok) {
      const e = (json as { error?: { message?: string; status?: string; errors?: Array<{ reason?: string }> } }).error;
      throw new ApiCallError(
        `${method} ${new URL(url).pathname}`,
        res.status,
        e?.errors?.[0]?.reason ?? e?.status,
        `${res.status} ${e?.status ?? ''} ${e?.message ?? text}`.replace(/\s+/g, ' ').trim(),
      );
    }
    return json as T;
  }
}
