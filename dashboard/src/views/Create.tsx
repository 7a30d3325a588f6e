// Creating things: the one-minute form ("deploy this image with N replicas on port P, and expose it") and YAML
// with live validation. Both go through a server-side dry run before the real request.
import { useState } from 'preact/hooks';
import { R, type ResourceType } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { type DeployForm, formErrors, objectsOf as formObjects } from '../actions/deploy-form.js';
import { type WriteResult, applyObjects } from '../actions/objects.js';
import type { Editor, Problem } from '../editor/index.js';
import { useApp } from '../store/app.js';
import { useDiscovery } from '../store/hooks.js';
import { useNamespace } from '../store/namespace.js';
import { hrefOf } from '../ui/route.js';
import { Link, ViewHeader } from '../ui/widgets.js';
import { objectRoute } from './common.js';
import { YamlEditor, loadEditor } from './YamlEditor.js';

const STARTER = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: web
        image: 127.0.0.1:5000/flotilla/web:v1
        ports:
        - containerPort: 8080
`;

function Results(p: { results: WriteResult[]; dryRun: boolean }) {
  return (
    <ul class="results" data-results>
      {p.results.map((r, i) => (
        <li key={i} class={r.error ? 'error' : 'ok'}>
          {r.obj.kind} <strong>{r.obj.metadata?.name ?? '?'}</strong>: {r.error ?? `${r.action}${p.dryRun ? ' (server dry run)' : ''}`}
          {!r.error && !p.dryRun && r.type ? <> · <Link to={objectRoute(r.type, { metadata: { name: r.obj.metadata.name, namespace: r.type.namespaced
            ? (r.obj.metadata.namespace ?? undefined) : undefined } })}>open</Link></> : null}
        </li>
      ))}
    </ul>
  );
}

function useTypes(): ResourceType[] {
  return useDiscovery() ?? Object.values(R);
}

export function DeployFormView() {
  const { api, toasts, router } = useApp();
  const ns = useNamespace();
  const types = useTypes();
  const [f, setF] = useState<DeployForm>({ name: '', namespace: ns || 'default', image: '', replicas: 1, port: 8080, expose: true, serviceType: 'ClusterIP' });
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<WriteResult[] | undefined>();
  const errs = formErrors(f);
  const set = <K extends keyof DeployForm>(k: K, v: DeployForm[K]) => setF({ ...f, [k]: v });
  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const r = await applyObjects(api, types, formObjects(f), f.namespace);
      setResults(r.results);
      if (r.ok) {
        toasts.ok(`deployment ${f.name} created${f.expose ? ' and exposed' : ''}`);
        router.navigate(hrefOf(objectRoute(R.deployments, { metadata: { name: f.name, namespace: f.namespace } }), router.location.ns));
      }
    } catch (err) {
      toasts.error(err);
    } finally {
      setBusy(false);
    }
  };
  const field = (k: keyof DeployForm) => (touched && errs[k] ? <span class="field-error" data-error={k}>{errs[k]}</span> : null);
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
  return (
    <form class="deploy-form" onSubmit={submit} noValidate>
      <label>Name<input name="name" value={f.name} onInput={(e) => set('name', (e.target as HTMLInputElement).value.trim())} placeholder="hello" autoFocus />{field('name')}</label>
      <label>Image<input name="image" value={f.image} onInput={(e) => set('image', (e.target as HTMLInputElement).value)} placeholder="127.0.0.1:5000/flotilla/web:v1" spellcheck={false} />{field('image')}</label>
      <div class="row">
        <label>Replicas<input name="replicas" type="number" min={0} value={Number.isNaN(f.replicas) ? '' : f.replicas} onInput={(e) => set('replicas', num((e.target as HTMLInputElement).value))} />{field('replicas')}</label>
        <label>Container port<input name="port" type="number" min={0} max={65535} value={Number.isNaN(f.port) ? '' : f.port} onInput={(e) => set('port', num((e.target as HTMLInputElement).value))} />{field('port')}</label>
        <label>Namespace<input name="namespace" value={f.namespace} onInput={(e) => set('namespace', (e.target as HTMLInputElement).value.trim())} />{field('namespace')}</label>
      </div>
      <div class="row">
        <label class="check"><input type="checkbox" name="expose" checked={f.expose} onChange={(e) => set('expose', (e.target as HTMLInputElement).checked)} /> Expose it with a Service</label>
        {f.expose ? (
          <label>Service type
            <select name="serviceType" value={f.serviceType} onChange={(e) => set('serviceType', (e.target as HTMLSelectElement).value as DeployForm['serviceType'])}>
              <option value="ClusterIP">ClusterIP (inside the cluster)</option>
              <option value="NodePort">NodePort (on every node's address)</option>
            </select>
          </label>
        ) : null}
      </div>
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy} data-action="deploy">{busy ? 'Deploying…' : 'Deploy'}</button>
      </div>
      {results ? <Results results={results} dryRun={false} /> : null}
    </form>
  );
}

export function YamlCreateView() {
  const { api, toasts } = useApp();
  const ns = useNamespace();
  const types = useTypes();
  const [editor, setEditor] = useState<Editor | undefined>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<{ r: WriteResult[]; dryRun: boolean } | undefined>();
  const errors = problems.filter((p) => p.severity === 'error');
  const run = async (dryRunOnly: boolean) => {
    if (!editor) return;
    setBusy(true);
    try {
      const found = await editor.check();
      if (found.some((p) => p.severity === 'error')) return;
      const { objectsOf } = await loadEditor();
      const objs = objectsOf(editor.text()).filter(Boolean) as KubeObject[];
      const r = await applyObjects(api, types, objs, ns || 'default', { dryRunOnly });
      setResults({ r: r.results, dryRun: dryRunOnly });
      if (r.ok && !dryRunOnly) toasts.ok(`${r.results.length} object${r.results.length === 1 ? '' : 's'} applied`);
    } catch (e) {
      toasts.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="yaml-create">
      <YamlEditor text={STARTER} onReady={setEditor} onProblems={setProblems} />
      <div class="buttons">
        <span class="muted">{errors.length ? `${errors.length} problem${errors.length === 1 ? '' : 's'} to fix first` : 'Objects without a namespace go to ' + (ns || 'default')}</span>
        <button type="button" disabled={busy || !editor || errors.length > 0} onClick={() => run(true)} data-action="dry-run">Dry run</button>
        <button type="button" class="primary" disabled={busy || !editor || errors.length > 0} onClick={() => run(false)} data-action="apply">Create / apply</button>
      </div>
      {results ? <Results results={results.r} dryRun={results.dryRun} /> : null}
    </div>
  );
}

export function CreateView(p: { tab?: string }) {
  const { router } = useApp();
  const tab = p.tab === 'yaml' ? 'yaml' : 'form';
  return (
    <section class="view create">
      <ViewHeader title="Create" />
      <nav class="tabs">
        <a href={hrefOf({ view: 'create', tab: 'form' }, router.location.ns)} class={tab === 'form' ? 'active' : undefined} data-tab="form">Deploy an image</a>
        <a href={hrefOf({ view: 'create', tab: 'yaml' }, router.location.ns)} class={tab === 'yaml' ? 'active' : undefined} data-tab="yaml">From YAML</a>
      </nav>
      {tab === 'form' ? <DeployFormView /> : <YamlCreateView />}
    </section>
  );
}
