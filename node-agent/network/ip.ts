// Address helpers shared by the proxy, the DNS and network policy: families, canonical IPv6 text, CIDRs and the
// reverse (PTR) names of addresses.
import { isIP } from 'node:net';

export type IPFamily = 4 | 6;

/** 4, 6, or undefined for something that is not an address. */
export function ipFamily(ip: string): IPFamily | undefined {
  const f = isIP(ip);
  return f === 4 || f === 6 ? f : undefined;
}

/** The 8 groups of an IPv6 address (`::` expanded, an embedded IPv4 tail converted). */
function ipv6Groups(ip: string): number[] {
  let s = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = (v4[1] as string).split('.').map(Number);
    s = s.slice(0, -(v4[1] as string).length) + `${(((b[0] as number) << 8) | (b[1] as number)).toString(16)}:${(((b[2] as number) << 8) | (b[3] as number)).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** The canonical text of an address (RFC 5952 for IPv6: lower case, longest zero run as `::`), as Go prints it. */
export function canonicalIP(ip: string): string {
  if (ipFamily(ip) !== 6) return ip;
  const g = ipv6Groups(ip);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The bytes of an address. */
export function ipBytes(ip: string): number[] {
  if (ipFamily(ip) === 4) return ip.split('.').map(Number);
  return ipv6Groups(ip).flatMap((x) => [x >> 8, x & 0xff]);
}

/** The `in-addr.arpa` / `ip6.arpa` name of an address, without the trailing dot. */
export function reverseName(ip: string): string {
  if (ipFamily(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const nibbles = ipBytes(ip).flatMap((b) => [b >> 4, b & 0xf]).map((n) => n.toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/** The address a reverse name stands for, or undefined when the name is not a complete reverse name. */
export function addressFromReverseName(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  if (n.endsWith('.ip6.arpa')) {
    const parts = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (parts.length !== 32 || !parts.every((p) => /^[0-9a-f]$/.test(p))) return undefined;
    const hex = parts.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIP(groups.join(':'));
  }
  return undefined;
}

/** A parsed CIDR. */
export interface Cidr {
  family: IPFamily;
  /** Network address bytes. */
  bytes: number[];
  prefix: number;
  /** The canonical text (network address / prefix). */
  text: string;
}

/** Parses `a.b.c.d/n` or `x::/n` (host bits are cleared, as Go's ParseCIDR does); undefined when malformed. */
export function parseCidr(cidr: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return undefined;
  const family = ipFamily(m[1] as string);
  const prefix = Number(m[2]);
  if (!family || prefix > (family === 4 ? 32 : 128)) return undefined;
  const bytes = ipBytes(m[1] as string).map((b, i) => {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - bitsHere)) & 0xff);
  });
  return { family, bytes, prefix, text: `${bytesToIP(family, bytes)}/${prefix}` };
}

/** Address text from bytes. */
export function bytesToIP(family: IPFamily, bytes: number[]): string {
  if (family === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return canonicalIP(groups.join(':'));
}

/** Whether `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  if (ipFamily(ip) !== cidr.family) return false;
  const b = ipBytes(ip);
  for (let bit = 0; bit < cidr.prefix; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((b[i] as number) & mask) !== ((cidr.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** `10-1-2-3` / `fd00--1`: the label DNS uses for an address in pod and endpoint names. */
export function dashedIP(ip: string): string {
  return ipFamily(ip) === 6 ? canonicalIP(ip).replace(/:/g, '-') : ip.replace(/\./g, '-');
}

/** The address a dashed label stands for (`10-1-2-3`, `fd00--1`), or undefined. */
export function ipFromDashed(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (ipFamily(v4) === 4) return v4;
  const v6 = label.replace(/-/g, ':');
  return ipFamily(v6) === 6 ? canonicalIP(v6) : undefined;
}
