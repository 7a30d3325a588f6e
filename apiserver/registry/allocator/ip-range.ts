// A service IP range (--service-cluster-ip-range) as offsets: the allocator hands out offsets and keys its records by
// the address text, so both IPv4 and IPv6 ranges work the same way (BigInt arithmetic for 128-bit addresses).
import { isIP } from 'node:net';

export interface IPRange {
  /** The CIDR as given (normalised to its network address), for messages: "The range of valid IPs is 10.96.0.0/12". */
  readonly cidr: string;
  readonly family: 4 | 6;
  /** How many addresses can be allocated (the network address and, in IPv4, the broadcast address excluded). */
  readonly size: number;
  /** The address at offset 0..size-1. */
  ipAt(offset: number): string;
  /** The offset of an address in the range, or undefined when it is outside it (or is the network/broadcast address). */
  offsetOf(ip: string): number | undefined;
}

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((n, b) => (n << 8n) | BigInt(Number(b)), 0n);
}

function v6ToBig(ip: string): bigint {
  let s = ip.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const n = v4ToBig(tail[1] as string);
    s = s.slice(0, -(tail[1] as string).length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, rest] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = [...h, ...new Array(rest === undefined ? 0 : 8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigToV6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // the longest run of two or more zero groups becomes '::' (RFC 5952, as Go prints addresses)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

const toBig = (ip: string, family: 4 | 6): bigint => (family === 4 ? v4ToBig(ip) : v6ToBig(ip));

function toText(n: bigint, family: 4 | 6): string {
  if (family === 6) return bigToV6(n);
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}

/**
 * Parses a CIDR such as 10.96.0.0/12 or fd00:10:96::/112. IPv6 ranges larger than 2^20 addresses are used only up to
 * their first 2^20 (1,048,576) addresses, as many as an IPv4 /12 holds: nobody allocates more Services than that.
 */
export function parseIPRange(cidr: string): IPRange {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  const family = m ? isIP(m[1] as string) : 0;
  const bits = m ? Number(m[2]) : -1;
  if (!m || (family !== 4 && family !== 6) || bits > (family === 4 ? 32 : 128)) throw new Error(`invalid service IP range ${JSON.stringify(cidr)}: want a CIDR such as 10.96.0.0/12`);
  const width = family === 4 ? 32 : 128;
  const hostBits = width - bits;
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(hostBits)) - 1n);
  const network = toBig(m[1] as string, family) & mask;
  const total = 1n << BigInt(hostBits);
  // the network address is never handed out, nor the IPv4 broadcast address
  const usable = total - 1n - (family === 4 ? 1n : 0n);
  if (usable < 1n) throw new Error(`invalid service IP range ${JSON.stringify(cidr)}: it has no address to allocate (a /${bits})`);
  const size = Number(usable > 1n << 20n ? 1n << 20n : usable);
  const first = network + 1n;
  return {
    cidr: `${toText(network, family)}/${bits}`,
    family,
    size,
    ipAt(offset: number): string {
      if (!Number.isInteger(offset) || offset < 0 || offset >= size) throw new RangeError(`offset ${offset} is outside ${cidr}`);
      return toText(first + BigInt(offset), family);
    },
    offsetOf(ip: string): number | undefined {
      if (isIP(ip) !== family) return undefined;
      const off = toBig(ip, family) - first;
      return off >= 0n && off < BigInt(size) ? Number(off) : undefined;
    },
  };
}

/** A port range such as 30000-32767 (--service-node-port-range). */
export interface PortRange {
  readonly base: number;
  readonly size: number;
  /** "30000-32767", for messages. */
  readonly text: string;
}

export function parsePortRange(text: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const base = m ? Number(m[1]) : NaN;
  const last = m ? Number(m[2]) : NaN;
  if (!m || base < 1 || last > 65535 || last < base) throw new Error(`invalid node port range ${JSON.stringify(text)}: want FIRST-LAST such as 30000-32767`);
  return { base, size: last - base + 1, text: `${base}-${last}` };
}
