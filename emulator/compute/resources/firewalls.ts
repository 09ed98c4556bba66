import { isPlainObject } from '../../core/merge-patch';
import type { KindSpec } from '../collection';
import { selfLink } from '../links';
import { isCidr } from './cidr';
import { badField, intField, oneOf, requiredField } from './lb-helpers';

type Rule = Record<string, unknown>;
const rulesOf = (v: unknown): Rule[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);
const PORT_RE = /^(\d{1,5})(?:-(\d{1,5}))?$/;

/**
 * VPC firewall rules (https://cloud.google.com/compute/docs/reference/rest/v1/firewalls). No fingerprint.
 * Field rules are the reference's: `network` defaults to `global/networks/default` and must exist;
 * `direction` INGRESS by default, "For EGRESS traffic, you cannot specify the sourceTags fields";
 * `priority` 0–65535, default 1000; ranges in CIDR form (IPv4 or IPv6). Messages are ours in Google's
 * invalid-field shape (Google's own not found).
 */
export const firewallSpec: KindSpec = {
  collection: 'firewalls',
  scope: 'global',
  kind: 'compute#firewall',
  prepare(fw, kc) {
    const network = typeof fw.network === 'string' && fw.network !== '' ? fw.network : 'global/networks/default';
    fw.network = selfLink(kc.resolve(network, 'resource.network'));
    fw.direction ??= 'INGRESS';
    fw.priority ??= 1000;
    fw.disabled ??= false;
    for (const key of ['allowed', 'denied', 'sourceRanges', 'destinationRanges', 'sourceTags', 'targetTags']) {
      if (Array.isArray(fw[key]) && (fw[key] as unknown[]).length === 0) delete fw[key];
    }
  },
  validate(fw) {
    oneOf(fw.direction, ['INGRESS', 'EGRESS'], 'resource.direction');
    intField(fw, 'priority', 'resource.priority', { min: 0, max: 65535 });
    const allowed = rulesOf(fw.allowed);
    const denied = rulesOf(fw.denied);
    if (allowed.length === 0 && denied.length === 0) throw requiredField('resource.allowed');
    if (allowed.length > 0 && denied.length > 0) {
      throw badField('resource.denied', '', 'A firewall rule has either allowed or denied entries, not both.');
    }
    const [list, field] = allowed.length > 0 ? [allowed, 'allowed'] : [denied, 'denied'];
    list.forEach((rule, i) => {
      const at = `resource.${field}[${i}]`;
      if (typeof rule.IPProtocol !== 'string' || rule.IPProtocol === '') throw requiredField(`${at}.IPProtocol`);
      const ports = Array.isArray(rule.ports) ? rule.ports : [];
      ports.forEach((p, j) => {
        const m = PORT_RE.exec(String(p));
        if (!m || Number(m[1]) > 65535 || Number(m[2] ?? m[1]) > 65535 || Number(m[1]) > Number(m[2] ?? m[1])) {
          throw badField(`${at}.ports[${j}]`, p, 'Must be a port or a port range (0-65535).');
        }
      });
    });
    for (const key of ['sourceRanges', 'destinationRanges']) {
      const ranges = Array.isArray(fw[key]) ? (fw[key] as unknown[]) : [];
      ranges.forEach((r, i) => {
        if (!isCidr(r)) throw badField(`resource.${key}[${i}]`, r, 'Must be an IP address or a CIDR range.');
      });
    }
    if (fw.direction === 'EGRESS' && Array.isArray(fw.sourceTags)) {
      throw badField('resource.sourceTags', '', 'sourceTags cannot be set for EGRESS firewall rules.');
    }
  },
  refs: (fw) => (typeof fw.network === 'string' ? [{ field: 'resource.network', link: fw.network }] : []),
};
