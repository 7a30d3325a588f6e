// One cluster CIDR cut into equal node subnets (kube-controller-manager's --cluster-cidr and --node-cidr-mask-size):
// which subnets are taken, and the next free one. Allocation goes round the range from just after the last subnet
// handed out (as Kubernetes' cidrset does), so a subnet freed by a deleted node is not handed out again at once while
// the range still has never-used room: routes and conntrack entries of the old node have time to go.
import { bytesToIP, parseCidr, type Cidr } from '../../node-agent/network/ip.js';

/** Kubernetes' limit: at most 2^16 node subnets in one cluster CIDR (its bitmap's size). */
export const MAX_SUBNET_BITS = 16;
export const NO_CIDRS_REMAINING = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';

const toBig = (c: Cidr): bigint => c.bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

function fromBig(family: 4 | 6, v: bigint): string {
  const n = family === 4 ? 4 : 16;
  const bytes: number[] = [];
  for (let i = n - 1; i >= 0; i--) bytes[i] = Number((v >> BigInt((n - 1 - i) * 8)) & 0xffn);
  return bytesToIP(family, bytes);
}

export class CidrSet {
  readonly cluster: Cidr;
  readonly maskSize: number;
  private readonly bits: number;
  private readonly base: bigint;
  private readonly count: number;
  private readonly used: Uint8Array;
  private allocated = 0;
  private nextCandidate = 0;

  /** Throws on a CIDR that is not one, or a mask size that does not fit it. */
  constructor(clusterCIDR: string, maskSize: number) {
    const c = parseCidr(clusterCIDR);
    if (!c) throw new Error(`invalid CIDR address: ${clusterCIDR}`);
    this.bits = c.family === 4 ? 32 : 128;
    if (!Number.isInteger(maskSize) || maskSize < c.prefix || maskSize > this.bits) {
      throw new Error(`node CIDR mask size ${maskSize} must be between the cluster CIDR's prefix length (${c.prefix}) and ${this.bits}`);
    }
    if (maskSize - c.prefix > MAX_SUBNET_BITS) throw new Error(`New CIDR set failed; the node CIDR size is too big (cluster CIDR ${c.text}, node mask size ${maskSize}: at most ${MAX_SUBNET_BITS} bits apart)`);
    this.cluster = c;
    this.maskSize = maskSize;
    this.base = toBig(c);
    this.count = 2 ** (maskSize - c.prefix);
    this.used = new Uint8Array(this.count);
  }

  get family(): 4 | 6 {
    return this.cluster.family;
  }

  /** How many node subnets the range holds, and how many are taken. */
  get size(): number {
    return this.count;
  }
  get usedCount(): number {
    return this.allocated;
  }

  private subnet(i: number): string {
    return `${fromBig(this.family, this.base + (BigInt(i) << BigInt(this.bits - this.maskSize)))}/${this.maskSize}`;
  }

  /** The next free node subnet, now taken; throws NO_CIDRS_REMAINING when the range is full. */
  allocateNext(): string {
    if (this.allocated === this.count) throw new Error(NO_CIDRS_REMAINING);
    let i = this.nextCandidate;
    while (this.used[i]) i = (i + 1) % this.count;
    this.used[i] = 1;
    this.allocated++;
    this.nextCandidate = (i + 1) % this.count;
    return this.subnet(i);
  }

  /**
   * The indexes of the node subnets that `cidr` covers (a larger CIDR covers several, a smaller one lies in one), or
   * undefined when it is not a CIDR of this family inside the cluster CIDR.
   */
  private span(cidr: string): [number, number] | undefined {
    const c = parseCidr(cidr);
    if (!c || c.family !== this.family || c.prefix < this.cluster.prefix) return undefined;
    const v = toBig(c);
    const hostBits = BigInt(this.bits - this.cluster.prefix);
    if ((v >> hostBits) !== (this.base >> hostBits)) return undefined;
    const shift = BigInt(this.bits - this.maskSize);
    const first = Number((v - this.base) >> shift);
    const last = c.prefix >= this.maskSize ? first : first + 2 ** (this.maskSize - c.prefix) - 1;
    return [first, last];
  }

  /** Whether `cidr` lies inside the cluster CIDR. */
  contains(cidr: string): boolean {
    return this.span(cidr) !== undefined;
  }

  /** Marks the subnets `cidr` covers as taken (a node that already has them); false when it lies outside the range. */
  occupy(cidr: string): boolean {
    const s = this.span(cidr);
    if (!s) return false;
    for (let i = s[0]; i <= s[1]; i++) {
      if (!this.used[i]) this.allocated++;
      this.used[i] = 1;
    }
    return true;
  }

  /** Frees the subnets `cidr` covers; false when it lies outside the range. */
  release(cidr: string): boolean {
    const s = this.span(cidr);
    if (!s) return false;
    for (let i = s[0]; i <= s[1]; i++) {
      if (this.used[i]) this.allocated--;
      this.used[i] = 0;
    }
    return true;
  }

  /** Whether the node subnet holding `cidr` is taken. */
  isUsed(cidr: string): boolean {
    const s = this.span(cidr);
    return !!s && this.used[s[0]] === 1;
  }
}
