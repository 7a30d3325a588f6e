// The cluster zone as a lookup table, built from the model each time it changes (Kubernetes' DNS specification,
// https://github.com/kubernetes/dns/blob/master/docs/specification.md, with CoreDNS's choices where it leaves room):
//   SVC.NS.svc.ZONE                A/AAAA: the ClusterIPs; for a headless Service the ready endpoints' addresses
//   HOST.SVC.NS.svc.ZONE           A/AAAA of a headless Service's endpoint (its hostname, or its dashed address)
//   _PORT._PROTO.SVC.NS.svc.ZONE   SRV for each named port (headless: one per endpoint)
//   SVC.NS.svc.ZONE                CNAME to spec.externalName for an ExternalName Service
//   reverse names of ClusterIPs and endpoint addresses: PTR
//   dns-version.ZONE               TXT with the schema version
// Pod records (A-B-C-D.NS.pod.ZONE) are answered on lookup, not stored (see answer.ts).
import { canonicalIP, dashedIP, ipFamily } from '../ip.js';
import { isHeadless, serviceKey, type EndpointModel, type NetworkModel } from '../model.js';

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** The records of one name. */
export interface NameRecords {
  A: string[];
  AAAA: string[];
  SRV: SrvRecord[];
  PTR: string[];
  TXT: string[];
  CNAME?: string;
}

export interface ClusterZone {
  /** The cluster domain, lower case, without dots at either end (`cluster.local`). */
  zone: string;
  names: Map<string, NameRecords>;
  /** Names that exist because something exists below them (`ns.svc.ZONE`, `svc.ZONE`): NODATA, not NXDOMAIN. */
  interior: Set<string>;
  /** PTR records by canonical address. */
  reverse: Map<string, string[]>;
  /** Pod addresses per namespace, for verified pod records. */
  podIPs: Map<string, Set<string>>;
  /** The SOA serial: when the zone was built (seconds), as CoreDNS uses its last change. */
  serial: number;
}

/** The DNS schema version this zone implements (the `dns-version` TXT record). */
export const SCHEMA_VERSION = '1.1.0';

function node(z: ClusterZone, name: string): NameRecords {
  let n = z.names.get(name);
  if (!n) {
    n = { A: [], AAAA: [], SRV: [], PTR: [], TXT: [] };
    z.names.set(name, n);
    for (let i = name.indexOf('.'); i >= 0 && name.length - i - 1 > z.zone.length; i = name.indexOf('.', i + 1)) z.interior.add(name.slice(i + 1));
  }
  return n;
}

function addAddress(n: NameRecords, ip: string): void {
  const list = ipFamily(ip) === 4 ? n.A : n.AAAA;
  if (!list.includes(ip)) list.push(ip);
}

function addPtr(z: ClusterZone, ip: string, target: string): void {
  const list = z.reverse.get(ip) ?? [];
  if (!list.includes(target)) list.push(target);
  z.reverse.set(ip, list);
}

/** Ready endpoint addresses of a Service, each once, with the endpoint they came from. */
function readyAddresses(eps: EndpointModel[]): { ip: string; ep: EndpointModel }[] {
  const seen = new Map<string, { ip: string; ep: EndpointModel }>();
  for (const ep of eps) {
    if (!ep.ready) continue;
    for (const raw of ep.addresses) {
      const ip = ipFamily(raw) ? canonicalIP(raw) : undefined;
      if (ip && !seen.has(ip)) seen.set(ip, { ip, ep });
    }
  }
  return [...seen.values()];
}

/** Builds the zone. Names are lower case: DNS comparisons are case-insensitive. */
export function buildZone(model: Pick<NetworkModel, 'services' | 'endpoints' | 'pods'>, domain = 'cluster.local'): ClusterZone {
  const zone = domain.toLowerCase().replace(/^\.+|\.+$/g, '');
  const z: ClusterZone = { zone, names: new Map(), interior: new Set(), reverse: new Map(), podIPs: new Map(), serial: Math.floor(Date.now() / 1000) };
  node(z, `dns-version.${zone}`).TXT.push(SCHEMA_VERSION);

  const epsBySvc = new Map<string, EndpointModel[]>();
  for (const ep of model.endpoints) {
    const k = serviceKey(ep.service);
    const list = epsBySvc.get(k);
    if (list) list.push(ep);
    else epsBySvc.set(k, [ep]);
  }

  for (const svc of model.services) {
    const base = `${svc.name}.${svc.namespace}.svc.${zone}`.toLowerCase();
    const eps = epsBySvc.get(serviceKey(svc)) ?? [];
    if (svc.type === 'ExternalName') {
      if (svc.externalName) node(z, base).CNAME = svc.externalName.toLowerCase().replace(/\.$/, '');
      continue;
    }
    const ready = readyAddresses(eps);
    // Endpoint addresses answer PTR with their name under the Service (as CoreDNS does for every Service).
    const hostOf = (e: { ip: string; ep: EndpointModel }) => (e.ep.hostname || dashedIP(e.ip)).toLowerCase();
    for (const e of ready) addPtr(z, e.ip, `${hostOf(e)}.${base}`);
    const named = svc.ports.filter((p) => p.name);

    if (!isHeadless(svc)) {
      const ips = svc.clusterIPs.filter((ip) => ipFamily(ip)).map(canonicalIP);
      if (!ips.length) continue;
      const n = node(z, base);
      for (const ip of ips) {
        addAddress(n, ip);
        addPtr(z, ip, base);
      }
      for (const p of named) {
        const srv = { priority: 0, weight: 100, port: p.port, target: base };
        node(z, `_${p.name}._${p.protocol}.${base}`.toLowerCase()).SRV.push(srv);
        n.SRV.push(srv);
      }
      continue;
    }

    // Headless: the name exists only while an endpoint is ready (the specification's NXDOMAIN otherwise).
    if (!ready.length) continue;
    const n = node(z, base);
    for (const e of ready) {
      addAddress(n, e.ip);
      addAddress(node(z, `${hostOf(e)}.${base}`), e.ip);
    }
    for (const p of named) {
      const srvName = `_${p.name}._${p.protocol}.${base}`.toLowerCase();
      const targets = new Map<string, number>();
      for (const e of ready) {
        const port = e.ep.ports.find((x) => x.name === p.name && x.protocol === p.protocol)?.port;
        if (port) targets.set(`${hostOf(e)}.${base}|${port}`, port);
      }
      const weight = Math.max(1, Math.floor(100 / (targets.size || 1)));
      for (const [k, port] of targets) {
        const srv = { priority: 0, weight, port, target: k.split('|')[0] as string };
        node(z, srvName).SRV.push(srv);
        n.SRV.push(srv);
      }
    }
  }

  for (const p of model.pods) {
    if (p.hostNetwork) continue;
    const set = z.podIPs.get(p.namespace.toLowerCase()) ?? new Set<string>();
    for (const ip of p.ips) if (ipFamily(ip)) set.add(canonicalIP(ip));
    z.podIPs.set(p.namespace.toLowerCase(), set);
  }
  return z;
}

/** The PTR name for an address, if it is one of ours. */
export function ptrFor(z: ClusterZone, ip: string): string[] | undefined {
  return z.reverse.get(canonicalIP(ip));
}
