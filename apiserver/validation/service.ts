// Checks on Services and Endpoints: ports, types, cluster IPs, traffic policies and endpoint addresses.
import {
  asArr, asNum, asObj, asStr, child, duplicate, forbidden, goQuote, goRaw, index, invalid, invalidEach, isSet,
  notSupported, objects, optNum, optStr, required, type FieldCause, type Obj,
} from './field.js';
import { validatePortNumOrName } from './container.js';
import { validateLabels } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidIP, isValidPortNum } from './names.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateServicePorts(spec: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const names = new Set<string>();
  const ports = objects(spec.ports);
  const many = asArr(spec.ports).length > 1;
  for (const [p, i] of ports) {
    const pp = index('spec.ports', i);
    const name = asStr(p.name);
    if (many && !name) out.push(required(child(pp, 'name')));
    else if (name) {
      out.push(...invalidEach(child(pp, 'name'), name, isDNS1123Label(name)));
      if (names.has(name)) out.push(duplicate(child(pp, 'name'), name));
      else names.add(name);
    }
    out.push(...invalidEach(child(pp, 'port'), asNum(p.port), isValidPortNum(asNum(p.port))));
    const proto = asStr(p.protocol);
    if (!proto) out.push(required(child(pp, 'protocol')));
    else if (!PROTOCOLS.includes(proto)) out.push(notSupported(child(pp, 'protocol'), proto, PROTOCOLS));
    if (isSet(p.targetPort)) out.push(...validatePortNumOrName(p.targetPort, child(pp, 'targetPort')));
    const ap = optStr(p.appProtocol);
    if (ap !== undefined) out.push(...invalidEach(child(pp, 'appProtocol'), ap, isQualifiedName(ap)));
  }
  const nodePorts = new Set<string>();
  const seen = new Set<string>();
  for (const [p, i] of ports) {
    const pp = index('spec.ports', i);
    const np = asNum(p.nodePort);
    if (np) {
      const id = `${asStr(p.protocol)}/${np}`;
      if (nodePorts.has(id)) out.push(duplicate(child(pp, 'nodePort'), np));
      nodePorts.add(id);
    }
    const id = `${asStr(p.protocol)}/${asNum(p.port)}`;
    if (seen.has(id)) {
      out.push(duplicate(pp, goRaw(`core.ServicePort{Name:"", Protocol:${goQuote(asStr(p.protocol))}, AppProtocol:(*string)(nil), Port:${asNum(p.port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`)));
    }
    seen.add(id);
  }
  return out;
}

export function validateService(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const type = asStr(spec.type);
  const clusterIPs = asArr(spec.clusterIPs).map(asStr);
  const headless = asStr(spec.clusterIP) === 'None' || clusterIPs[0] === 'None';
  const out: FieldCause[] = [];
  if (!asArr(spec.ports).length && !headless && type !== 'ExternalName') out.push(required('spec.ports'));
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless) out.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  if (type === 'ExternalName') {
    if (clusterIPs.length) out.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (asArr(spec.ipFamilies).length) out.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (isSet(spec.ipFamilyPolicy)) out.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = asStr(spec.externalName).replace(/\.$/, '');
    if (cname) out.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else out.push(required('spec.externalName'));
  }
  out.push(...validateServicePorts(spec));
  if (isSet(spec.selector)) out.push(...validateLabels(spec.selector, 'spec.selector'));
  const aff = asStr(spec.sessionAffinity);
  if (!aff) out.push(required('spec.sessionAffinity'));
  else if (!['ClientIP', 'None'].includes(aff)) out.push(notSupported('spec.sessionAffinity', aff, ['ClientIP', 'None']));
  if (aff === 'ClientIP') {
    const t = optNum(asObj(asObj(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds);
    if (t === undefined) out.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'when session affinity type is ClientIP'));
    else if (t <= 0 || t > 86400) out.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  } else if (aff === 'None' && isSet(spec.sessionAffinityConfig)) {
    out.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) out.push(invalid('spec.clusterIPs', clusterIPs, "'None' must be the first and only value"));
      return;
    }
    out.push(...invalidEach(index('spec.clusterIPs', i), ip, isValidIP(ip)));
  });
  const cip = asStr(spec.clusterIP);
  if (cip && clusterIPs.length && cip !== clusterIPs[0]) out.push(invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
  if (cip && cip !== 'None' && !clusterIPs.length) out.push(...invalidEach('spec.clusterIP', cip, isValidIP(cip)));
  asArr(spec.ipFamilies).forEach((f, i) => {
    if (!['IPv4', 'IPv6'].includes(asStr(f))) out.push(notSupported(index('spec.ipFamilies', i), asStr(f), ['IPv4', 'IPv6']));
  });
  const pol = optStr(spec.ipFamilyPolicy);
  if (pol !== undefined && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(pol)) out.push(notSupported('spec.ipFamilyPolicy', pol, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  asArr(spec.externalIPs).forEach((ip, i) => out.push(...invalidEach(index('spec.externalIPs', i), asStr(ip), isValidIP(asStr(ip)))));
  if (!type) out.push(required('spec.type'));
  else if (!['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'].includes(type)) out.push(notSupported('spec.type', type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
  if (type === 'ClusterIP') {
    for (const [p, i] of objects(spec.ports)) if (asNum(p.nodePort)) out.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
  }
  if (asArr(spec.loadBalancerSourceRanges).length) {
    if (type !== 'LoadBalancer') out.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    asArr(spec.loadBalancerSourceRanges).forEach((r, i) => out.push(...invalidEach(index('spec.LoadBalancerSourceRanges', i), asStr(r).trim(), isValidCIDR(asStr(r).trim()))));
  }
  if (isSet(spec.allocateLoadBalancerNodePorts) && type !== 'LoadBalancer') out.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  const external = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && asArr(spec.externalIPs).length > 0);
  const etp = asStr(spec.externalTrafficPolicy);
  if (!external && etp) out.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  if (external && !etp) out.push(required('spec.externalTrafficPolicy'));
  if (external && etp && !['Cluster', 'Local'].includes(etp)) out.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const itp = optStr(spec.internalTrafficPolicy);
  if (itp === undefined && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) out.push(required('spec.internalTrafficPolicy'));
  if (itp !== undefined && !['Cluster', 'Local'].includes(itp)) out.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  const td = optStr(spec.trafficDistribution);
  if (td !== undefined && td !== 'PreferClose') out.push(notSupported('spec.trafficDistribution', td, ['PreferClose']));
  return out;
}

export function validateEndpoints(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [ss, i] of objects(obj.subsets)) {
    const p = index('subsets', i);
    if (!asArr(ss.addresses).length && !asArr(ss.notReadyAddresses).length) out.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const f of ['addresses', 'notReadyAddresses']) {
      for (const [a, j] of objects(ss[f])) {
        const ap = index(child(p, f), j);
        out.push(...invalidEach(child(ap, 'ip'), asStr(a.ip), isValidIP(asStr(a.ip))));
        if (asStr(a.hostname)) out.push(...invalidEach(child(ap, 'hostname'), asStr(a.hostname), isDNS1123Label(asStr(a.hostname))));
        if (asStr(a.nodeName)) out.push(...invalidEach(child(ap, 'nodeName'), asStr(a.nodeName), isDNS1123Subdomain(asStr(a.nodeName))));
      }
    }
    const many = asArr(ss.ports).length > 1;
    for (const [pt, j] of objects(ss.ports)) {
      const pp = index(child(p, 'ports'), j);
      const name = asStr(pt.name);
      if (many && !name) out.push(required(child(pp, 'name')));
      else if (name) out.push(...invalidEach(child(pp, 'name'), name, isDNS1123Label(name)));
      out.push(...invalidEach(child(pp, 'port'), asNum(pt.port), isValidPortNum(asNum(pt.port))));
      const proto = asStr(pt.protocol);
      if (!proto) out.push(required(child(pp, 'protocol')));
      else if (!PROTOCOLS.includes(proto)) out.push(notSupported(child(pp, 'protocol'), proto, PROTOCOLS));
    }
  }
  return out;
}

/** Decoded length of base64 data, or an error the way Go's decoder words it. */
