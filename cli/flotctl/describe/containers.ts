// Containers and volumes as kubectl describes them, for pods and for the pod templates of deployments and
// replica sets: image, ports, command, state, resources, probes, environment, mounts; then the Volumes section.
import type { KubeObject } from '../../../lib/api/types.js';
import { Quantity, resources } from './quantity.js';
import { type Obj, type StrMap, type Writer, annotationsMultiline, byBytes, labelsMultiline, rfc1123z, tolerationsMultiline } from './writer.js';


/** Resolves a fieldRef env var against the pod (kubectl can only resolve metadata.name and metadata.namespace). */
export type EnvResolver = (fieldRef: { apiVersion?: string; fieldPath?: string }) => string;

export function podEnvResolver(pod: KubeObject): EnvResolver {
  return (ref) => {
    if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(String(ref.apiVersion ?? ''))) return '';
    if (ref.fieldPath === 'metadata.name') return pod.metadata.name ?? '';
    if (ref.fieldPath === 'metadata.namespace') return pod.metadata.namespace ?? '';
    return '';
  };
}

export function describeContainers(w: Writer, label: string, containerList: unknown, statusList: unknown, resolve: EnvResolver | undefined,
  space: string): void {
  const containers = (containerList ?? []) as Obj[];
  const byName = new Map(((statusList ?? []) as Obj[]).map((s) => [s.name as string, s]));
  w.write(0, `${space}${label}:${containers.length ? '' : ' <none>'}\n`);
  for (const c of containers) {
    const status = byName.get(c.name);
    basicInfo(w, c, status, space);
    command(w, c);
    if (status) containerState(w, status);
    describeResources(w, c.resources, 2);
    probes(w, c);
    if (c.envFrom?.length) envFrom(w, c);
    envVars(w, c, resolve);
    mounts(w, c);
  }
}

function basicInfo(w: Writer, c: Obj, status: Obj | undefined, space: string): void {
  w.write(1, `${space ? ' ' : ''}${c.name}:\n`);
  if (status) w.write(2, `Container ID:\t${status.containerID ?? ''}\n`);
  w.write(2, `Image:\t${c.image ?? ''}\n`);
  if (status) w.write(2, `Image ID:\t${status.imageID ?? ''}\n`);
  const ports = (c.ports ?? []) as Obj[];
  const p = ports.map((x) => `${x.containerPort ?? 0}/${x.protocol ?? ''}`).join(', ');
  w.write(2, p.includes(',') ? `Ports:\t${p}\n` : `Port:\t${p || '<none>'}\n`);
  const hp = ports.map((x) => `${x.hostPort ?? 0}/${x.protocol ?? ''}`).join(', ');
  w.write(2, hp.includes(',') ? `Host Ports:\t${hp}\n` : `Host Port:\t${hp || '<none>'}\n`);
  const sp = c.securityContext?.seccompProfile;
  if (sp) {
    w.write(2, `SeccompProfile:\t${sp.type ?? ''}\n`);
    if (sp.type === 'Localhost') w.write(3, `LocalhostProfile:\t${sp.localhostProfile ?? ''}\n`);
  }
}

function command(w: Writer, c: Obj): void {
  for (const [title, list] of [['Command', c.command], ['Args', c.args]] as [string, string[] | undefined][]) {
    if (!list?.length) continue;
    w.write(2, `${title}:\n`);
    for (const a of list) for (const s of String(a).split('\n')) w.write(3, `${s}\n`);
  }
}

function containerState(w: Writer, s: Obj): void {
  state(w, 'State', s.state ?? {});
  if (s.lastState?.terminated) state(w, 'Last State', s.lastState);
  w.write(2, `Ready:\t${s.ready ? 'True' : 'False'}\n`);
  w.write(2, `Restart Count:\t${s.restartCount ?? 0}\n`);
}

function state(w: Writer, name: string, st: Obj): void {
  if (st.running) {
    w.write(2, `${name}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(st.running.startedAt)}\n`);
  } else if (st.waiting) {
    w.write(2, `${name}:\tWaiting\n`);
    if (st.waiting.reason) w.write(3, `Reason:\t${st.waiting.reason}\n`);
  } else if (st.terminated) {
    const t = st.terminated;
    w.write(2, `${name}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if (t.signal > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${name}:\tWaiting\n`);
  }
}

/** Limits then Requests, each resource sorted, quantities in canonical form. */
export function describeResources(w: Writer, req: unknown, level: number): void {
  if (!req) return;
  const r = req as Obj;
  for (const [title, list] of [['Limits', r.limits], ['Requests', r.requests]] as [string, unknown][]) {
    const q = resources(list);
    const names = Object.keys(q).sort(byBytes);
    if (names.length) w.write(level, `${title}:\n`);
    for (const n of names) w.write(level + 1, `${n}:\t${(q[n] as Quantity).toString()}\n`);
  }
}

function probes(w: Writer, c: Obj): void {
  if (c.livenessProbe) w.write(2, `Liveness:\t${probe(c.livenessProbe)}\n`);
  if (c.readinessProbe) w.write(2, `Readiness:\t${probe(c.readinessProbe)}\n`);
  if (c.startupProbe) w.write(2, `Startup:\t${probe(c.startupProbe)}\n`);
}

function probe(p: Obj): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s #success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const port = g.port === undefined || g.port === null ? '' : String(g.port);
    const host = g.host ?? '';
    const hostPort = port ? `${host.includes(':') ? `[${host}]` : host}:${port}` : host;
    const scheme = String(g.scheme ?? '').toLowerCase();
    let path = g.path ?? '';
    if (path && !path.startsWith('/') && hostPort) path = '/' + path;
    const slashes = (scheme || hostPort) && (hostPort || path) ? '//' : '';
    return `http-get ${scheme ? `${scheme}:` : ''}${slashes}${hostPort}${path} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port ?? ''} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port ?? 0} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function envFrom(w: Writer, c: Obj): void {
  w.write(2, 'Environment Variables from:\n');
  for (const e of c.envFrom as Obj[]) {
    const ref = e.configMapRef ?? e.secretRef;
    const from = e.configMapRef ? 'ConfigMap' : e.secretRef ? 'Secret' : '';
    const optional = ref?.optional === true;
    w.write(3, e.prefix ? `${ref?.name ?? ''}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}\n` : `${ref?.name ?? ''}\t${from}\tOptional: ${optional}\n`);
  }
}

function envVars(w: Writer, c: Obj, resolve: EnvResolver | undefined): void {
  const env = (c.env ?? []) as Obj[];
  w.write(2, `Environment:${env.length ? '' : '\t<none>'}\n`);
  for (const e of env) {
    const from = e.valueFrom;
    if (!from) {
      String(e.value ?? '').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
    } else if (from.fieldRef) {
      w.write(3, `${e.name}:\t${resolve ? resolve(from.fieldRef) : ''} (${from.fieldRef.apiVersion ?? ''}:${from.fieldRef.fieldPath ?? ''})\n`);
    } else if (from.resourceFieldRef) {
      const r = from.resourceFieldRef.resource as string;
      let v = resourceFieldValue(c, from.resourceFieldRef);
      if (v === '0' && (r === 'limits.cpu' || r === 'limits.memory')) v = 'node allocatable';
      w.write(3, `${e.name}:\t${v} (${r})\n`);
    } else if (from.secretKeyRef) {
      const s = from.secretKeyRef;
      w.write(3, `${e.name}:\t<set to the key '${s.key}' in secret '${s.name ?? ''}'>\tOptional: ${s.optional === true}\n`);
    } else if (from.configMapKeyRef) {
      const s = from.configMapKeyRef;
      w.write(3, `${e.name}:\t<set to the key '${s.key}' of config map '${s.name ?? ''}'>\tOptional: ${s.optional === true}\n`);
    }
  }
}

/** A container's own limit or request divided by the divisor, rounded up; unset is 0. */
function resourceFieldValue(c: Obj, ref: Obj): string {
  const [where, res] = String(ref.resource).split('.') as [string, string];
  const q = resources(c.resources?.[where === 'limits' ? 'limits' : 'requests'])[res === 'cpu' ? 'cpu' : res] ?? Quantity.zero();
  const div = Quantity.parse(ref.divisor ?? '1');
  const d = div.isZero() ? Quantity.parse('1') : div;
  if (res === 'cpu') {
    const m = d.milli();
    return String((q.milli() + m - 1n) / m);
  }
  const v = d.value();
  return v === 0n ? '' : String((q.value() + v - 1n) / v);
}

function mounts(w: Writer, c: Obj): void {
  const list = [...((c.volumeMounts ?? []) as Obj[])].sort((a, b) => byBytes(a.mountPath ?? '', b.mountPath ?? ''));
  const none = list.length ? '' : '\t<none>';
  w.write(2, `Mounts:${none}\n`);
  for (const m of list) {
    const flags = [m.readOnly ? 'ro' : 'rw'];
    if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
  const devices = [...((c.volumeDevices ?? []) as Obj[])].sort((a, b) => byBytes(a.devicePath ?? '', b.devicePath ?? ''));
  if (devices.length) {
    w.write(2, `Devices:${none}\n`);
    for (const d of devices) w.write(3, `${d.devicePath} from ${d.name}\n`);
  }
}

/** The Volumes section; names get one more space inside a pod template. */
export function describeVolumes(w: Writer, list: unknown, space: string): void {
  const volumes = (list ?? []) as Obj[];
  if (!volumes.length) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space ? ' ' : ''}${v.name}:\n`);
    volumeSource(w, v);
  }
}

function volumeSource(w: Writer, v: Obj): void {
  const line = (first: string, ...rest: string[]) => w.write(2, [first, ...rest.map((r) => `    ${r}`)].join('\n') + '\n');
  if (v.hostPath) return line('Type:\tHostPath (bare host directory volume)', `Path:\t${v.hostPath.path ?? ''}`, `HostPathType:\t${v.hostPath.type ?? '<none>'}`);
  if (v.emptyDir) {
    const limit = v.emptyDir.sizeLimit !== undefined && Quantity.parse(v.emptyDir.sizeLimit).nano > 0n ? Quantity.parse(v.emptyDir.sizeLimit).toString() : '<unset>';
    return line("Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)", `Medium:\t${v.emptyDir.medium ?? ''}`, `SizeLimit:\t${limit}`);
  }
  if (v.secret) return line('Type:\tSecret (a volume populated by a Secret)', `SecretName:\t${v.secret.secretName ?? ''}`, `Optional:\t${v.secret.optional === true}`);
  if (v.configMap) return line('Type:\tConfigMap (a volume populated by a ConfigMap)', `Name:\t${v.configMap.name ?? ''}`, `Optional:\t${v.configMap.optional === true}`);
  if (v.persistentVolumeClaim) {
    const c = v.persistentVolumeClaim;
    return line('Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)', `ClaimName:\t${c.claimName ?? ''}`, `ReadOnly:\t${c.readOnly === true}`);
  }
  if (v.downwardAPI) {
    w.write(2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
    for (const i of (v.downwardAPI.items ?? []) as Obj[]) {
      if (i.fieldRef) w.write(3, `${i.fieldRef.fieldPath} -> ${i.path}\n`);
      if (i.resourceFieldRef) w.write(3, `${i.resourceFieldRef.resource} -> ${i.path}\n`);
    }
    return;
  }
  if (v.projected) {
    w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    // kubectl prints these *bool fields with %v: <nil> when unset, else the pointer's address (shown here as a
    // fixed Go heap address, since a real one differs on every run).
    const opt = (o: unknown) => (o === undefined || o === null ? '<nil>' : '0xc000012345');
    for (const s of (v.projected.sources ?? []) as Obj[]) {
      if (s.secret) line(`SecretName:\t${s.secret.name ?? ''}`, `SecretOptionalName:\t${opt(s.secret.optional)}`);
      else if (s.downwardAPI) line('DownwardAPI:\ttrue');
      else if (s.configMap) line(`ConfigMapName:\t${s.configMap.name ?? ''}`, `ConfigMapOptional:\t${opt(s.configMap.optional)}`);
      else if (s.serviceAccountToken) line(`TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 0}`);
    }
    return;
  }
  w.write(2, '<unknown>\n');
}

/** `Pod Template:` of a deployment or replica set, indented one level, containers without status. */
export function describePodTemplate(w: Writer, template: unknown): void {
  w.write(0, 'Pod Template:\n');
  if (!template) return w.write(1, '<unset>');
  const t = template as Obj;
  const spec = (t.spec ?? {}) as Obj;
  labelsMultiline(w, '  Labels', t.metadata?.labels as StrMap | undefined);
  if (Object.keys(t.metadata?.annotations ?? {}).length) annotationsMultiline(w, '  Annotations', t.metadata.annotations);
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, undefined, undefined, '  ');
  describeContainers(w, 'Containers', spec.containers, undefined, undefined, '  ');
  describeVolumes(w, spec.volumes, '  ');
  topologySpread(w, spec.topologySpreadConstraints, '  ');
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  labelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  tolerationsMultiline(w, '  Tolerations', spec.tolerations);
}

export function topologySpread(w: Writer, constraints: unknown, space: string): void {
  const list = (constraints ?? []) as Obj[];
  if (!list.length) return;
  w.write(0, `${space}Topology Spread Constraints:\t`);
  [...list].sort((a, b) => byBytes(a.topologyKey ?? '', b.topologyKey ?? '')).forEach((c, i) => {
    if (i) w.write(0, `${space}\t`);
    let s = `${c.topologyKey}:${c.whenUnsatisfiable} when max skew ${c.maxSkew} is exceeded`;
    if (c.labelSelector) s += ` for selector ${formatLabelSelector(c.labelSelector)}`;
    w.write(0, s + '\n');
  });
}

/** metav1.FormatLabelSelector: requirements sorted by key, `<none>` when it selects everything. */
export function formatLabelSelector(selector: unknown, none = '<none>'): string {
  if (!selector) return none;
  const sel = selector as Obj;
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as StrMap)) reqs.push([k, `${k}=${v}`]);
  for (const e of (sel.matchExpressions ?? []) as Obj[]) {
    const vals = [...((e.values ?? []) as string[])].sort(byBytes).join(',');
    const text = e.operator === 'In' ? `${e.key} in (${vals})` : e.operator === 'NotIn' ? `${e.key} notin (${vals})` : e.operator === 'Exists' ? e.key : `!${e.key}`;
    reqs.push([e.key, text]);
  }
  const s = reqs.sort((a, b) => byBytes(a[0], b[0])).map((r) => r[1]).join(',');
  return s || none;
}
