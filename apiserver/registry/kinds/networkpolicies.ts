// NetworkPolicies (networking.k8s.io/v1): which traffic the pods a policy selects accept and send. The API server
// only stores them (checked with Kubernetes' rules and messages); each node agent enforces them in its nftables
// tables (node-agent/network/policy/).
import { BlockList, isIP } from 'node:net';
import type { LabelSelector } from '../../../lib/api/types.js';
import { AGE, NAME, age, selectorString } from '../../printers/columns.js';
import { setDefault } from '../../validation/defaults.js';
import {
  asArr, asObj, child, forbidden, index, invalid, invalidEach, isObj, isSet, notSupported, objects, required, type FieldCause, type Obj,
} from '../../validation/field.js';
import { validateLabelSelector } from '../../validation/meta.js';
import { isValidCIDR, isValidPortName, isValidPortNum } from '../../validation/names.js';
import { defineKind, identity } from '../kind.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

/** Kubernetes' defaulting: a port's protocol is TCP; policyTypes is Ingress, plus Egress when there are egress rules. */
function defaults(np: Obj): void {
  const spec = asObj(np.spec);
  if (!spec) return;
  for (const rules of [spec.ingress, spec.egress]) {
    for (const [rule] of objects(rules)) for (const [port] of objects(rule.ports)) setDefault(port, 'protocol', 'TCP');
  }
  if (!asArr(spec.policyTypes).length) spec.policyTypes = asArr(spec.egress).length ? ['Ingress', 'Egress'] : ['Ingress'];
}

function validatePort(port: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (isSet(port.protocol) && !PROTOCOLS.includes(String(port.protocol))) out.push(notSupported(child(path, 'protocol'), String(port.protocol), PROTOCOLS));
  const p = port.port;
  const end = port.endPort;
  if (typeof p === 'number') {
    out.push(...invalidEach(child(path, 'port'), p, isValidPortNum(p)));
    if (typeof end === 'number') {
      // Kubernetes reports the port's value here, not endPort's
      if (end < p) out.push(invalid(child(path, 'endPort'), p, 'must be greater than or equal to `port`'));
      out.push(...invalidEach(child(path, 'endPort'), end, isValidPortNum(end)));
    }
  } else if (typeof p === 'string') {
    if (isSet(end)) out.push(invalid(child(path, 'endPort'), end, 'may not be specified when `port` is non-numeric'));
    out.push(...invalidEach(child(path, 'port'), p, isValidPortName(p)));
  } else if (isSet(end)) {
    out.push(invalid(child(path, 'endPort'), end, 'may not be specified when `port` is not specified'));
  }
  return out;
}

/** IPv4 with leading zeros as Kubernetes' sloppy parser reads it. */
const unsloppy = (ip: string): string => (/^[0-9.]+$/.test(ip) ? ip.split('.').map((p) => String(Number(p))).join('.') : ip);

function parseCIDR(text: string): { ip: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  if (isValidCIDR(text).length) return undefined;
  const slash = text.lastIndexOf('/');
  const ip = unsloppy(text.slice(0, slash));
  return { ip, prefix: Number(text.slice(slash + 1)), family: isIP(ip) === 6 ? 'ipv6' : 'ipv4' };
}

function validateIPBlock(block: Obj, path: string): FieldCause[] {
  const cidrText = typeof block.cidr === 'string' ? block.cidr : '';
  if (!cidrText) return [required(child(path, 'cidr'))];
  const out = invalidEach(child(path, 'cidr'), cidrText, isValidCIDR(cidrText));
  const cidr = parseCIDR(cidrText);
  if (!cidr) return out;
  const within = new BlockList();
  within.addSubnet(cidr.ip, cidr.prefix, cidr.family);
  asArr(block.except).forEach((e, i) => {
    const p = index(child(path, 'except'), i);
    const text = typeof e === 'string' ? e : '';
    out.push(...invalidEach(p, text, isValidCIDR(text)));
    const ex = parseCIDR(text);
    if (!ex) return;
    // a longer prefix whose address lies in the block is a strict subset of it
    if (ex.family !== cidr.family || !within.check(ex.ip, ex.family) || ex.prefix <= cidr.prefix) out.push(invalid(p, text, 'must be a strict subset of `cidr`'));
  });
  return out;
}

function validatePeer(peer: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  let peers = 0;
  if (isSet(peer.podSelector)) {
    peers++;
    out.push(...validateLabelSelector(peer.podSelector, child(path, 'podSelector')));
  }
  if (isSet(peer.namespaceSelector)) {
    peers++;
    out.push(...validateLabelSelector(peer.namespaceSelector, child(path, 'namespaceSelector')));
  }
  if (isSet(peer.ipBlock)) {
    peers++;
    if (isObj(peer.ipBlock)) out.push(...validateIPBlock(peer.ipBlock, child(path, 'ipBlock')));
  }
  if (peers === 0) out.push(required(path, 'must specify a peer'));
  else if (peers > 1 && isSet(peer.ipBlock)) out.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return out;
}

function validate(np: Obj): FieldCause[] {
  const spec = asObj(np.spec) ?? {};
  const out: FieldCause[] = [];
  // the schema requires podSelector; an explicit null gets Kubernetes' message too
  if (!isSet(spec.podSelector)) out.push(required('spec.podSelector'));
  else out.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  for (const [dir, peersField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    for (const [rule, i] of objects(spec[dir])) {
      const rp = index(child('spec', dir), i);
      for (const [port, j] of objects(rule.ports)) out.push(...validatePort(port, index(child(rp, 'ports'), j)));
      for (const [peer, j] of objects(rule[peersField])) out.push(...validatePeer(peer, index(child(rp, peersField), j)));
    }
  }
  const types = asArr(spec.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    out.push(invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
    return out;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(String(t))) out.push(notSupported(index('spec.policyTypes', i), String(t), POLICY_TYPES));
  });
  return out;
}

export default defineKind(identity('networking.k8s.io/v1', 'NetworkPolicy'), {
  generation: true,
  defaults,
  validate,
  printer: {
    columns: [NAME, ['Pod-Selector', 'string', 0, 'The pods this policy applies to.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', selectorString(o.spec?.podSelector as LabelSelector | undefined), age(o.metadata.creationTimestamp, now)],
  },
});
