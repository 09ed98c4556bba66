import type { ApiDefinition, HttpRule } from './proto-load';
import { templateRegex } from './proto-load';
import { parseBody, type Schema, snakeCase } from './proto-schema';

/**
 * One API's request bodies: its definition (loaded on first use) and the name Google gives the body
 * in error paths (`resource` for Compute's `…_resource` bodies, `alert_policy`…).
 */
export interface BodySource {
  /** Paths this API serves (`/compute/v1/`). */
  prefix: string;
  load(): ApiDefinition;
  /** The body's name in error paths for a rule whose body is a request field. */
  bodyName(rule: HttpRule): string;
}

interface Compiled {
  schema: Schema;
  rules: Array<{ verb: string; regex: RegExp; type: string; at: string }>;
}

/**
 * Google's API front end, as far as request bodies go: finds the RPC a REST request maps to from its
 * `google.api.http` binding, derives the body's message type from it (the request message itself for
 * `body: "*"`, else the type of the named request field: InsertBackendServiceRequest.backend_service_resource
 * → BackendService) and refuses a body that does not parse as that type (core/proto-schema.ts).
 */
export class FrontEnd {
  private readonly compiled = new Map<BodySource, Compiled>();

  constructor(private readonly sources: BodySource[]) {}

  /**
   * The body as the API behind Google's front end receives it (parsed, canonical proto3 JSON); throws
   * a 400 ApiError (with google.rpc.BadRequest violations) for a body Google would not parse.
   */
  parse(method: string, path: string, body: unknown): unknown {
    if (body === undefined || method === 'GET' || method === 'DELETE') return body;
    const source = this.sources.find((s) => path.startsWith(s.prefix));
    if (!source) return body;
    const api = this.compile(source);
    const rule = api.rules.find((r) => r.verb === method && r.regex.test(path));
    return rule ? parseBody(api.schema, rule.type, body, rule.at) : body;
  }

  private compile(source: BodySource): Compiled {
    const done = this.compiled.get(source);
    if (done) return done;
    const def = source.load();
    const rules: Compiled['rules'] = [];
    for (const rule of def.rules) {
      if (!rule.body || !rule.template.startsWith(source.prefix)) continue;
      const request = def.schema.messages[rule.requestType];
      const field = rule.body === '*' ? undefined : request?.fields[camelCase(rule.body)];
      const type = rule.body === '*' ? rule.requestType : field?.type;
      if (!type) continue;
      const at = rule.body === '*' ? '' : source.bodyName(rule);
      rules.push({ verb: rule.verb, regex: templateRegex(rule.template), type, at });
    }
    const compiled = { schema: def.schema, rules };
    this.compiled.set(source, compiled);
    return compiled;
  }
}

const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The body field's proto name, as Google's paths show it (`alert_policy`). */
export const protoBodyName = (rule: HttpRule): string => snakeCase(camelCase(rule.body ?? ''));
