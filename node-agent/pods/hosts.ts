// The pod's /etc/hosts, as the kubelet writes it and mounts it into every container: localhost entries, the pod's
// IP with its hostname (and FQDN with a subdomain), then the hostAliases; a hostNetwork pod gets the node's own
// hosts file plus its aliases. Also the pod's hostname and domain from hostname/subdomain.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KubeObject } from '../../lib/api/types.js';

export interface HostAlias {
  ip: string;
  hostnames?: string[];
}

/** The pod's hostname (spec.hostname, else its name cut to 63 characters) and, with a subdomain, its domain. */
export function podHostname(pod: KubeObject, clusterDomain: string): { hostname: string; domain?: string } {
  const spec = pod.spec ?? {};
  const hostname = (spec.hostname as string | undefined) || (pod.metadata.name as string).slice(0, 63).replace(/[-.]+$/, '');
  const sub = spec.subdomain as string | undefined;
  return sub ? { hostname, domain: `${sub}.${pod.metadata.namespace}.svc.${clusterDomain}` } : { hostname };
}

function aliasLines(aliases: HostAlias[] | undefined): string {
  if (!aliases?.length) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

/** The managed hosts file of a pod with its own network namespace. */
export function podHostsContent(o: { podIPs: string[]; hostname: string; domain?: string; aliases?: HostAlias[] }): string {
  let out = '# Kubernetes-managed hosts file.\n';
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of o.podIPs) out += o.domain ? `${ip}\t${o.hostname}.${o.domain}\t${o.hostname}\n` : `${ip}\t${o.hostname}\n`;
  return out + aliasLines(o.aliases);
}

/** The managed hosts file of a hostNetwork pod: the node's, plus the pod's aliases. */
export function hostNetworkHostsContent(nodeHosts: string, aliases?: HostAlias[]): string {
  return `# Kubernetes-managed hosts file (host network).\n${nodeHosts}${nodeHosts.endsWith('\n') || !nodeHosts ? '' : '\n'}${aliasLines(aliases)}`;
}

/** Writes the pod's hosts file when its content changed. */
export function writeHostsFile(path: string, pod: KubeObject, podIP: string | undefined, clusterDomain: string, nodeHostsFile = '/etc/hosts'): void {
  const aliases = pod.spec?.hostAliases as HostAlias[] | undefined;
  let content: string;
  if (pod.spec?.hostNetwork) {
    let nodeHosts = '';
    try {
      nodeHosts = readFileSync(nodeHostsFile, 'utf8');
    } catch {
      // no hosts file on the node: the aliases alone
    }
    content = hostNetworkHostsContent(nodeHosts, aliases);
  } else {
    const { hostname, domain } = podHostname(pod, clusterDomain);
    content = podHostsContent({ podIPs: podIP ? [podIP] : [], hostname, domain, aliases });
  }
  try {
    if (readFileSync(path, 'utf8') === content) return;
  } catch {
    mkdirSync(dirname(path), { recursive: true });
  }
  writeFileSync(path, content, { mode: 0o644 });
}
