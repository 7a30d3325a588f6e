// A pod template as `kubectl describe` prints it (its "Pod Template:" section, indented by two spaces a level, tabs
// left raw), for `rollout history --revision=N` and `rollout undo --dry-run=client`.
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const MAX_ANNOTATION = 140;

class Writer {
  out = '';
  w(level: number, text: string): void {
    this.out += '  '.repeat(level) + text;
  }
}

/** Sorted `k=v` lines after a title, continuation lines starting with a tab, `<none>` when empty. */
function multiline(w: Writer, title: string, m: Record<string, string>): void {
  w.w(0, `${title}:\t`);
  const keys = Object.keys(m).sort();
  if (!keys.length) return w.w(0, '<none>\n');
  keys.forEach((k, i) => w.w(0, `${i ? '\t' : ''}${k}=${m[k]}\n`));
}

function annotations(w: Writer, title: string, m: Record<string, string>): void {
  w.w(0, `${title}:\t`);
  const keys = Object.keys(m).filter((k) => k !== 'kubectl.kubernetes.io/last-applied-configuration').sort();
  if (!keys.length) return w.w(0, '<none>\n');
  keys.forEach((k, i) => {
    if (i) w.w(0, '\t');
    const v = (m[k] as string).replace(/\n$/, '');
    if (v.length + k.length + 2 > MAX_ANNOTATION || v.includes('\n')) {
      w.w(0, `${k}:\n`);
      for (const line of v.split('\n')) w.w(0, `\t  ${line.length > MAX_ANNOTATION - 2 ? line.slice(0, MAX_ANNOTATION - 2) + '...' : line}\n`);
    } else w.w(0, `${k}: ${v}\n`);
  });
}

function probe(p: Obj): string {
  const n = (k: string, d: number) => (typeof p[k] === 'number' ? (p[k] as number) : d);
  const attrs = `delay=${n('initialDelaySeconds', 0)}s timeout=${n('timeoutSeconds', 1)}s period=${n('periodSeconds', 10)}s #success=${n('successThreshold', 1)} #failure=${n('failureThreshold', 3)}`;
  if (p.exec) return `exec [${arr(obj(p.exec).command).map(s).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const h = obj(p.httpGet);
    return `http-get ${s(h.scheme || 'HTTP').toLowerCase()}://${s(h.host)}:${s(h.port)}${s(h.path)} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${s(obj(p.tcpSocket).host)}:${s(obj(p.tcpSocket).port)} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${s(obj(p.grpc).port)} ${s(obj(p.grpc).service)} ${attrs}`;
  return `unknown ${attrs}`;
}

function container(w: Writer, c: Obj): void {
  w.w(1, ` ${s(c.name)}:\n`);
  w.w(2, `Image:\t${s(c.image)}\n`);
  const ports = arr(c.ports);
  const cp = ports.map((x) => `${s(x.containerPort)}/${s(x.protocol || 'TCP')}`).join(', ');
  const hp = ports.map((x) => `${s(x.hostPort ?? 0)}/${s(x.protocol || 'TCP')}`).join(', ');
  w.w(2, cp.includes(',') ? `Ports:\t${cp}\n` : `Port:\t${cp || '<none>'}\n`);
  w.w(2, hp.includes(',') ? `Host Ports:\t${hp}\n` : `Host Port:\t${hp || '<none>'}\n`);
  for (const [key, title] of [['command', 'Command'], ['args', 'Args']] as const) {
    const list = Array.isArray(c[key]) ? (c[key] as unknown[]) : [];
    if (!list.length) continue;
    w.w(2, `${title}:\n`);
    for (const a of list) for (const line of s(a).split('\n')) w.w(3, `${line}\n`);
  }
  const res = obj(c.resources);
  for (const [key, title] of [['limits', 'Limits'], ['requests', 'Requests']] as const) {
    const m = obj(res[key]);
    if (!Object.keys(m).length) continue;
    w.w(2, `${title}:\n`);
    for (const k of Object.keys(m).sort()) w.w(3, `${k}:\t${s(m[k])}\n`);
  }
  for (const [key, title] of [['livenessProbe', 'Liveness'], ['readinessProbe', 'Readiness'], ['startupProbe', 'Startup']] as const) {
    if (c[key]) w.w(2, `${title}:\t${probe(obj(c[key]))}\n`);
  }
  const envFrom = arr(c.envFrom);
  if (envFrom.length) {
    w.w(2, 'Environment Variables from:\n');
    for (const e of envFrom) {
      const ref = obj(e.configMapRef ?? e.secretRef);
      const from = e.configMapRef ? 'ConfigMap' : 'Secret';
      w.w(3, `${s(ref.name)}\t${from}${e.prefix ? ` with prefix '${s(e.prefix)}'` : ''}\tOptional: ${ref.optional === true}\n`);
    }
  }
  const env = arr(c.env);
  w.w(2, `Environment:${env.length ? '' : '\t<none>'}\n`);
  for (const e of env) {
    const vf = obj(e.valueFrom);
    if (!e.valueFrom) s(e.value).split('\n').forEach((line, i) => w.w(3, i ? `\t${line}\n` : `${s(e.name)}:\t${line}\n`));
    else if (vf.fieldRef) w.w(3, `${s(e.name)}:\t (${s(obj(vf.fieldRef).apiVersion)}:${s(obj(vf.fieldRef).fieldPath)})\n`);
    else if (vf.resourceFieldRef) w.w(3, `${s(e.name)}:\t (${s(obj(vf.resourceFieldRef).resource)})\n`);
    else if (vf.secretKeyRef) w.w(3, `${s(e.name)}:\t<set to the key '${s(obj(vf.secretKeyRef).key)}' in secret '${s(obj(vf.secretKeyRef).name)}'>\tOptional: ${obj(vf.secretKeyRef).optional === true}\n`);
    else if (vf.configMapKeyRef) w.w(3, `${s(e.name)}:\t<set to the key '${s(obj(vf.configMapKeyRef).key)}' of config map '${s(obj(vf.configMapKeyRef).name)}'>\tOptional: ${obj(vf.configMapKeyRef).optional === true}\n`);
  }
  const mounts = [...arr(c.volumeMounts)].sort((a, b) => (s(a.mountPath) < s(b.mountPath) ? -1 : s(a.mountPath) > s(b.mountPath) ? 1 : 0));
  w.w(2, `Mounts:${mounts.length ? '' : '\t<none>'}\n`);
  for (const m of mounts) w.w(3, `${s(m.mountPath)} from ${s(m.name)} (${[m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])].join(',')})\n`);
}

function volume(w: Writer, v: Obj): void {
  w.w(1, ` ${s(v.name)}:\n`);
  if (v.hostPath) w.w(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${s(obj(v.hostPath).path)}\n    HostPathType:\t${s(obj(v.hostPath).type) || '<none>'}\n`);
  else if (v.emptyDir) w.w(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${s(obj(v.emptyDir).medium)}\n    SizeLimit:\t${s(obj(v.emptyDir).sizeLimit) || '<unset>'}\n`);
  else if (v.secret) w.w(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${s(obj(v.secret).secretName)}\n    Optional:\t${obj(v.secret).optional === true}\n`);
  else if (v.configMap) w.w(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${s(obj(v.configMap).name)}\n    Optional:\t${obj(v.configMap).optional === true}\n`);
  else w.w(2, `<unknown>\n`);
}

function tolerations(w: Writer, list: Obj[]): void {
  w.w(0, '  Tolerations:\t');
  if (!list.length) return w.w(0, '<none>\n');
  [...list].sort((a, b) => (s(a.key) < s(b.key) ? -1 : s(a.key) > s(b.key) ? 1 : 0)).forEach((t, i) => {
    let line = (i ? '\t' : '') + s(t.key) + (t.value ? `=${s(t.value)}` : '') + (t.effect ? `:${s(t.effect)}` : '');
    if (t.operator === 'Exists' && !t.value) line += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (typeof t.tolerationSeconds === 'number') line += ` for ${t.tolerationSeconds}s`;
    w.w(0, line + '\n');
  });
}

/** The "Pod Template:" section of kubectl describe for a template. */
export function describePodTemplate(template: unknown): string {
  const t = obj(template);
  const meta = obj(t.metadata);
  const spec = obj(t.spec);
  const w = new Writer();
  w.w(0, 'Pod Template:\n');
  multiline(w, '  Labels', obj(meta.labels) as Record<string, string>);
  if (Object.keys(obj(meta.annotations)).length) annotations(w, '  Annotations', obj(meta.annotations) as Record<string, string>);
  if (spec.serviceAccountName) w.w(1, `Service Account:\t${s(spec.serviceAccountName)}\n`);
  for (const [key, title] of [['initContainers', 'Init Containers'], ['containers', 'Containers']] as const) {
    const cs = arr(spec[key]);
    if (key === 'initContainers' && !cs.length) continue;
    w.w(0, `  ${title}:${cs.length ? '' : ' <none>'}\n`);
    for (const c of cs) container(w, c);
  }
  const vols = arr(spec.volumes);
  w.w(0, `  Volumes:${vols.length ? '' : '\t<none>'}\n`);
  for (const v of vols) volume(w, v);
  if (spec.priorityClassName) w.w(1, `Priority Class Name:\t${s(spec.priorityClassName)}\n`);
  multiline(w, '  Node-Selectors', obj(spec.nodeSelector) as Record<string, string>);
  tolerations(w, arr(spec.tolerations));
  return w.out;
}
