// Answers one question from the cluster zone, or says it belongs upstream. Pure: the server (server.ts) does the
// wire format, truncation and forwarding.
import type { Answer, RecordType } from 'dns-packet';
import { addressFromReverseName, ipFamily, ipFromDashed } from '../ip.js';
import type { ClusterZone, NameRecords } from './records.js';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'FORMERR' | 'NOTIMP' | 'REFUSED';

export interface ZoneAnswer {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** The answer ends in a CNAME to a name outside the zone: resolve this upstream and append what comes back. */
  chase?: { name: string; type: QuestionType };
}

/** A question's type as dns-packet decodes it: a record type, or `ANY` (which its types leave out). */
export type QuestionType = RecordType | 'ANY';

export interface ZoneQuestion {
  name: string;
  type: QuestionType;
}

export type Resolution = { kind: 'zone'; answer: ZoneAnswer } | { kind: 'forward' };

export interface AnswerOptions {
  /** TTL of every record we answer (CoreDNS's default: 5 s). */
  ttl: number;
  /**
   * `A-B-C-D.NS.pod.ZONE`: `verified` answers only for an address a pod in NS has (CoreDNS `pods verified`),
   * `insecure` for any address (kube-dns's old behaviour), `disabled` never.
   */
  podRecords: 'verified' | 'insecure' | 'disabled';
}

/** CNAMEs inside the zone are followed this deep at most (ExternalName to ExternalName...). */
const MAX_CNAME_DEPTH = 8;

function soa(z: ClusterZone, ttl: number): Answer {
  return {
    name: z.zone, type: 'SOA', ttl,
    data: { mname: `ns.dns.${z.zone}`, rname: `hostmaster.${z.zone}`, serial: z.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
  };
}

function records(owner: string, type: QuestionType, rec: NameRecords, ttl: number): Answer[] {
  switch (type) {
    case 'A': return rec.A.map((data) => ({ name: owner, type: 'A', ttl, data }));
    case 'AAAA': return rec.AAAA.map((data) => ({ name: owner, type: 'AAAA', ttl, data }));
    case 'SRV': return rec.SRV.map((data) => ({ name: owner, type: 'SRV', ttl, data }));
    case 'PTR': return rec.PTR.map((data) => ({ name: owner, type: 'PTR', ttl, data }));
    case 'TXT': return rec.TXT.map((data) => ({ name: owner, type: 'TXT', ttl, data }));
    case 'CNAME': return rec.CNAME ? [{ name: owner, type: 'CNAME', ttl, data: rec.CNAME }] : [];
    default: return [];
  }
}

const ANY_TYPES: RecordType[] = ['A', 'AAAA', 'SRV', 'PTR', 'TXT', 'CNAME'];

function inZone(z: ClusterZone, owner: string, name: string, type: QuestionType, o: AnswerOptions, depth = 0): ZoneAnswer {
  const empty = (rcode: Rcode): ZoneAnswer => ({ rcode, answers: [], authorities: [soa(z, o.ttl)], additionals: [] });
  if (name === z.zone) {
    if (type === 'SOA') return { rcode: 'NOERROR', answers: [{ ...soa(z, o.ttl), name: owner }], authorities: [], additionals: [] };
    if (type === 'NS') return { rcode: 'NOERROR', answers: [{ name: owner, type: 'NS', ttl: o.ttl, data: `ns.dns.${z.zone}` }], authorities: [], additionals: [] };
    return empty('NOERROR');
  }
  const rec = z.names.get(name);
  if (rec) {
    if (rec.CNAME && type !== 'CNAME') {
      const cname: Answer = { name: owner, type: 'CNAME', ttl: o.ttl, data: rec.CNAME };
      const target = rec.CNAME;
      if ((target === z.zone || target.endsWith(`.${z.zone}`)) && depth < MAX_CNAME_DEPTH) {
        const rest = inZone(z, target, target, type, o, depth + 1);
        return { ...rest, answers: [cname, ...rest.answers] };
      }
      return { rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [], chase: { name: target, type } };
    }
    const answers = type === 'ANY' ? ANY_TYPES.flatMap((t) => records(owner, t, rec, o.ttl)) : records(owner, type, rec, o.ttl);
    if (!answers.length) return empty('NOERROR');
    // SRV targets' addresses go in the additional section, saving the client a round trip.
    const additionals: Answer[] = [];
    if (type === 'SRV') {
      const seen = new Set<string>();
      for (const a of answers) {
        const target = (a as { data: { target: string } }).data.target;
        const t = z.names.get(target);
        if (!t || seen.has(target)) continue;
        seen.add(target);
        additionals.push(...records(target, 'A', t, o.ttl), ...records(target, 'AAAA', t, o.ttl));
      }
    }
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }
  const pod = podRecord(z, name, o);
  if (pod) {
    const fam = ipFamily(pod);
    const want = type === 'A' ? 4 : type === 'AAAA' ? 6 : type === 'ANY' ? fam : undefined;
    if (want !== fam) return empty('NOERROR');
    return { rcode: 'NOERROR', answers: [{ name: owner, type: fam === 4 ? 'A' : 'AAAA', ttl: o.ttl, data: pod }], authorities: [], additionals: [] };
  }
  if (z.interior.has(name) || name === `pod.${z.zone}` || (name.endsWith(`.pod.${z.zone}`) && name.split('.').length === z.zone.split('.').length + 2)) return empty('NOERROR');
  return empty('NXDOMAIN');
}

/** The address a pod name stands for, when the options allow answering it. */
function podRecord(z: ClusterZone, name: string, o: AnswerOptions): string | undefined {
  if (o.podRecords === 'disabled') return undefined;
  const suffix = `.pod.${z.zone}`;
  if (!name.endsWith(suffix)) return undefined;
  const labels = name.slice(0, -suffix.length).split('.');
  if (labels.length !== 2) return undefined;
  const ip = ipFromDashed(labels[0] as string);
  if (!ip) return undefined;
  if (o.podRecords === 'verified' && !z.podIPs.get(labels[1] as string)?.has(ip)) return undefined;
  return ip;
}

/** Answers `q` from the zone, or returns `forward` for names that are not ours. */
export function resolveQuestion(z: ClusterZone, q: ZoneQuestion, o: AnswerOptions): Resolution {
  const name = q.name.toLowerCase().replace(/\.$/, '');
  if (name === z.zone || name.endsWith(`.${z.zone}`)) return { kind: 'zone', answer: inZone(z, q.name, name, q.type, o) };
  if ((q.type === 'PTR' || q.type === 'ANY') && (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa'))) {
    const ip = addressFromReverseName(name);
    const ptrs = ip ? z.reverse.get(ip) : undefined;
    // Addresses that are not ours (the node's, the internet's) fall through to the upstream servers.
    if (ptrs) return { kind: 'zone', answer: { rcode: 'NOERROR', answers: ptrs.map((data) => ({ name: q.name, type: 'PTR', ttl: o.ttl, data })), authorities: [], additionals: [] } };
  }
  return { kind: 'forward' };
}
