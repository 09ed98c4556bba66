import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4 range: first address as an unsigned 32-bit number, and its prefix length. */
export interface Ipv4Range {
  base: number;
  prefix: number;
}

const toNumber = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** `10.0.0.0/24` → its range; undefined when not an IPv4 CIDR whose host bits are zero. */
export function parseIpv4Cidr(cidr: unknown): Ipv4Range | undefined {
  if (typeof cidr !== 'string') return undefined;
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m || !isIPv4(m[1] as string)) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const base = toNumber(m[1] as string);
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

export const rangeSize = (r: Ipv4Range): number => 2 ** (32 - r.prefix);

export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.base < b.base + rangeSize(b) && b.base < a.base + rangeSize(a);
}

/** The n-th address of a range (`10.0.0.0/24`, 1 → `10.0.0.1`). */
export const addressAt = (r: Ipv4Range, n: number): string => toIp(r.base + n);

/** An IPv4 or IPv6 CIDR (firewall source and destination ranges take both). */
export function isCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [ip, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || ip === undefined) return false;
  if (prefix === undefined) return isIPv4(ip) || isIPv6(ip);
  const bits = Number(prefix);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return (isIPv4(ip) && bits <= 32) || (isIPv6(ip) && bits <= 128);
}
