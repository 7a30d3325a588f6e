// EndpointSlices (discovery.k8s.io/v1): a share of a Service's endpoints (at most 1000, the controller writes 100),
// their conditions and the ports they serve; addressType is fixed at creation.
import { AGE, NAME, age } from '../../printers/columns.js';
import { setDefault } from '../../validation/defaults.js';
import {
  asArr, asNum, asStr, child, duplicate, index, invalid, invalidEach, isSet, notSupported, objects, optStr, required, tooMany,
  type FieldCause, type Obj,
} from '../../validation/field.js';
import { validateLabels } from '../../validation/meta.js';
import { ipFamily, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from '../../validation/names.js';
import { defineKind, identity } from '../kind.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 100;
const MAX_ADDRESSES = 100;

function checkAddress(type: string, field: string, addr: string): FieldCause[] {
  if (type === 'IPv4') return ipFamily(addr) === 4 ? [] : [invalid(field, addr, 'must be a valid IPv4 address')];
  if (type === 'IPv6') return ipFamily(addr) === 6 ? [] : [invalid(field, addr, 'must be a valid IPv6 address')];
  if (type === 'FQDN') return invalidEach(field, addr, isDNS1123Subdomain(addr));
  return [];
}

function validate(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const type = asStr(obj.addressType);
  if (!type) out.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) out.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = asArr(obj.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) out.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  for (const [e, i] of objects(obj.endpoints)) {
    const p = index('endpoints', i);
    const addrs = asArr(e.addresses);
    if (!addrs.length) out.push(required(child(p, 'addresses'), 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) out.push(tooMany(child(p, 'addresses'), addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => out.push(...checkAddress(type, index(child(p, 'addresses'), j), asStr(a))));
    const hostname = optStr(e.hostname);
    if (hostname !== undefined) out.push(...invalidEach(child(p, 'hostname'), hostname, isDNS1123Label(hostname)));
    const node = optStr(e.nodeName);
    if (node !== undefined) out.push(...invalidEach(child(p, 'nodeName'), node, isDNS1123Subdomain(node)));
    if (isSet(e.deprecatedTopology)) out.push(...validateLabels(e.deprecatedTopology, child(p, 'deprecatedTopology')));
  }
  const ports = asArr(obj.ports);
  if (ports.length > MAX_PORTS) out.push(tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  for (const [pt, i] of objects(obj.ports)) {
    const p = index('ports', i);
    const name = asStr(pt.name);
    if (name) out.push(...invalidEach(child(p, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) out.push(duplicate(child(p, 'name'), name));
    names.add(name);
    const proto = asStr(pt.protocol);
    if (!PROTOCOLS.includes(proto)) out.push(notSupported(child(p, 'protocol'), proto, PROTOCOLS));
    if (isSet(pt.port) && asNum(pt.port) !== 0) out.push(...invalidEach(child(p, 'port'), asNum(pt.port), isValidPortNum(asNum(pt.port))));
    const ap = optStr(pt.appProtocol);
    if (ap !== undefined) out.push(...invalidEach(child(p, 'appProtocol'), ap, isQualifiedName(ap)));
  }
  return out;
}

/** "8080,9090" or <unset>, as kubectl prints a slice's ports. */
function portsCell(ports: Array<{ port?: number }>): string {
  if (!ports.length) return '<unset>';
  return ports.map((p) => (p.port === undefined ? '<unset>' : String(p.port))).join(',');
}

/** At most 3 addresses, then "+ N more...". */
function endpointsCell(endpoints: Array<{ addresses?: string[] }>): string {
  const all = endpoints.flatMap((e) => e.addresses ?? []);
  if (!all.length) return '<unset>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export default defineKind(identity('discovery.k8s.io/v1', 'EndpointSlice'), {
  defaults(obj: Obj) {
    for (const [p] of objects(obj.ports)) {
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'name', '');
    }
  },
  validate,
  validateUpdate(obj: Obj, old: Obj): FieldCause[] {
    return asStr(obj.addressType) !== asStr(old.addressType) ? [invalid('addressType', asStr(obj.addressType), 'field is immutable')] : [];
  },
  printer: {
    columns: [NAME, ['AddressType', 'string', 0, 'The type of address carried by this slice.'], ['Ports', 'string', 0, 'The ports of the endpoints.'],
      ['Endpoints', 'string', 0, 'The addresses of the endpoints.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', String(o.addressType ?? ''), portsCell((o.ports ?? []) as Array<{ port?: number }>),
      endpointsCell((o.endpoints ?? []) as Array<{ addresses?: string[] }>), age(o.metadata.creationTimestamp, now)],
  },
});
