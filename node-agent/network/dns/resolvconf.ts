// The DNS settings a pod gets from its `dnsPolicy` and `dnsConfig`, by the kubelet's rules (the CRI DNSConfig the
// sandbox config carries), and the resolv.conf text the runtime writes from them. Pure: the node agent's sandbox
// config will call it with the node's settings and resolv.conf.
//
//   ClusterFirst             the cluster DNS only, search NS.svc.ZONE svc.ZONE ZONE + the node's, options ndots:5
//                            (a hostNetwork pod falls back to Default, as does any pod when no cluster DNS is set)
//   ClusterFirstWithHostNet  the same, also for hostNetwork pods
//   Default                  the node's resolv.conf
//   None                     nothing but dnsConfig
// dnsConfig is then merged in: nameservers and searches appended without duplicates, options overriding by name.
// Limits as the kubelet applies them: 3 nameservers, 32 search domains of at most 253 characters, 2048 in all.

export interface PodDnsConfigSpec {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export interface PodDnsInput {
  namespace: string;
  dnsPolicy?: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
  hostNetwork?: boolean;
  dnsConfig?: PodDnsConfigSpec;
}

export interface NodeDnsSettings {
  /** The cluster DNS addresses (the kubelet's `--cluster-dns`): here, where the node-local DNS server listens. */
  clusterDNS: string[];
  /** The cluster domain (`--cluster-domain`, e.g. `cluster.local`). */
  clusterDomain: string;
  /** The node's resolv.conf text (`--resolv-conf`); undefined as the kubelet's `--resolv-conf=""`. */
  hostResolvConf?: string;
  /** The node's addresses: with no resolv.conf, Default points at the node's loopback of each family. */
  nodeIPs?: string[];
}

/** The CRI DNSConfig: what goes into the pod's resolv.conf. */
export interface PodDnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
  /** What the kubelet reports as DNSConfigForming / MissingClusterDNS events. */
  warnings: string[];
}

export const MAX_NAMESERVERS = 3;
export const MAX_SEARCH_PATHS = 32;
export const MAX_SEARCH_CHARS = 2048;
const MAX_DOMAIN_LENGTH = 253;

/** nameserver lines accumulate; the last search and options lines win (the kubelet's reading). */
export function parseResolvConf(text: string): { nameservers: string[]; searches: string[]; options: string[] } {
  const nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) nameservers.push(f[1]);
    if (f[0] === 'search') searches = f.slice(1).map((s) => s.replace(/\.$/, ''));
    if (f[0] === 'options') options = f.slice(1);
  }
  return { nameservers, searches, options };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function mergeOptions(existing: string[], extra: { name: string; value?: string }[]): string[] {
  const m = new Map<string, string>();
  for (const o of existing) {
    const i = o.indexOf(':');
    if (i >= 0) m.set(o.slice(0, i), o.slice(i + 1));
    else m.set(o, '');
  }
  for (const o of extra) m.set(o.name, o.value ?? '');
  return [...m].map(([k, v]) => (v ? `${k}:${v}` : k));
}

function fitSearches(searches: string[], warnings: string[]): string[] {
  let out = searches;
  let exceeded = false;
  if (out.length > MAX_SEARCH_PATHS) {
    out = out.slice(0, MAX_SEARCH_PATHS);
    exceeded = true;
  }
  const fit = out.filter((s) => s.length <= MAX_DOMAIN_LENGTH);
  if (fit.length !== out.length) exceeded = true;
  out = fit;
  while (out.length && out.join(' ').length > MAX_SEARCH_CHARS) {
    out = out.slice(0, -1);
    exceeded = true;
  }
  if (exceeded) warnings.push(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`);
  return out;
}

export function podDnsConfig(pod: PodDnsInput, node: NodeDnsSettings): PodDnsConfig {
  const warnings: string[] = [];
  const host = node.hostResolvConf === undefined ? { nameservers: [], searches: [], options: [] } : parseResolvConf(node.hostResolvConf);
  let cfg = { servers: host.nameservers, searches: host.searches, options: host.options };
  const policy = pod.dnsPolicy ?? 'ClusterFirst';
  let type: 'cluster' | 'host' | 'none' =
    policy === 'None' ? 'none' : policy === 'ClusterFirstWithHostNet' ? 'cluster' : policy === 'ClusterFirst' && !pod.hostNetwork ? 'cluster' : 'host';
  if (type === 'cluster' && !node.clusterDNS.length) {
    warnings.push(`kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`);
    type = 'host';
  }
  if (type === 'none') cfg = { servers: [], searches: [], options: [] };
  if (type === 'cluster') {
    const zone = node.clusterDomain.replace(/^\.+|\.+$/g, '');
    const clusterSearch = zone ? [`${pod.namespace}.svc.${zone}`, `svc.${zone}`, zone] : [];
    cfg = { servers: [...node.clusterDNS], searches: unique([...clusterSearch, ...host.searches]), options: ['ndots:5'] };
  }
  if (type === 'host' && node.hostResolvConf === undefined) {
    const v6 = (node.nodeIPs ?? []).some((ip) => ip.includes(':'));
    const v4 = (node.nodeIPs ?? []).some((ip) => !ip.includes(':'));
    cfg = { servers: [...(v4 || !v6 ? ['127.0.0.1'] : []), ...(v6 ? ['::1'] : [])], searches: ['.'], options: [] };
  }
  if (pod.dnsConfig) {
    cfg = {
      servers: unique([...cfg.servers, ...(pod.dnsConfig.nameservers ?? [])]),
      searches: unique([...cfg.searches, ...(pod.dnsConfig.searches ?? [])]),
      options: mergeOptions(cfg.options, pod.dnsConfig.options ?? []),
    };
  }
  if (cfg.servers.length > MAX_NAMESERVERS) {
    cfg.servers = cfg.servers.slice(0, MAX_NAMESERVERS);
    warnings.push(`Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${cfg.servers.join(' ')}`);
  }
  cfg.searches = fitSearches(cfg.searches, warnings);
  return { ...cfg, warnings };
}

/** resolv.conf as the runtime writes it from the CRI DNSConfig: search, nameservers, options. */
export function formatResolvConf(cfg: Pick<PodDnsConfig, 'servers' | 'searches' | 'options'>): string {
  let out = '';
  if (cfg.searches.length) out += `search ${cfg.searches.join(' ')}\n`;
  for (const s of cfg.servers) out += `nameserver ${s}\n`;
  if (cfg.options.length) out += `options ${cfg.options.join(' ')}\n`;
  return out;
}
