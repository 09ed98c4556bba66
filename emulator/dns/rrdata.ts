import { isIPv4, isIPv6 } from 'node:net';

/** Record types Cloud DNS accepts (docs: "Supported DNS record types"). */
export const RECORD_TYPES = new Set([
  'A',
  'AAAA',
  'ALIAS',
  'CAA',
  'CNAME',
  'DNSKEY',
  'DS',
  'HTTPS',
  'IPSECKEY',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
]);

/** A fully qualified host name, as Cloud DNS wants in CNAME/NS/PTR/MX/SRV data (trailing dot). */
const FQDN = /^(\*\.)?([a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?\.)+$|^\.$/i;

/** Whether `data` is a valid rrdata for `type`. Strict for the types georoute uses, loose elsewhere. */
export function validRrdata(type: string, data: unknown): boolean {
  if (typeof data !== 'string' || data.length === 0) return false;
  switch (type) {
    case 'A':
      return isIPv4(data);
    case 'AAAA':
      return isIPv6(data);
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return FQDN.test(data);
    case 'MX': {
      const [pref, host, ...rest] = data.split(/\s+/);
      return rest.length === 0 && isUint16(pref) && FQDN.test(host ?? '');
    }
    case 'SRV': {
      const [prio, weight, port, target, ...rest] = data.split(/\s+/);
      return rest.length === 0 && isUint16(prio) && isUint16(weight) && isUint16(port) && FQDN.test(target ?? '');
    }
    case 'SOA':
      return data.split(/\s+/).length === 7;
    default:
      return data.trim().length > 0;
  }
}

/** Whether `ip` may be answered for a record of `type` (health-checked targets give IPs). */
export function ipFitsType(type: string, ip: string): boolean {
  return type === 'A' ? isIPv4(ip) : type === 'AAAA' ? isIPv6(ip) : false;
}

function isUint16(s: string | undefined): boolean {
  return s !== undefined && /^\d{1,5}$/.test(s) && Number(s) <= 65535;
}
