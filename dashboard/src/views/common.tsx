// What several views share: links to an object's page, the delete button with its confirmation, the scale dialog.
import { useState } from 'preact/hooks';
import { type ResourceType, typeSlug } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { deleteObject, patchObject } from '../actions/objects.js';
import { useApp } from '../store/app.js';
import { type Route, hrefOf } from '../ui/route.js';
import { Can, Dialog, Link } from '../ui/widgets.js';

export const objectRoute = (t: Pick<ResourceType, 'group' | 'version' | 'resource'>, o: { metadata: { name: string; namespace?: string } }, tab?: string): Route => ({
  view: 'object',
  type: { group: t.group, version: t.version, resource: t.resource },
  namespace: o.metadata.namespace,
  name: o.metadata.name,
  tab,
});

export function ObjectLink(p: { type: ResourceType; obj: { metadata: { name: string; namespace?: string } }; tab?: string;
  children?: preact.ComponentChildren }) {
  return <Link to={objectRoute(p.type, p.obj, p.tab)} class="obj">{p.children ?? p.obj.metadata.name}</Link>;
}

/** `kind/name` as kubectl writes it. */
export const refText = (t: ResourceType, o: KubeObject) => `${t.resource}${t.group ? `.${t.group}` : ''}/${o.metadata.name}`;

/** Delete, after the user confirms in a dialog that names the object. Hidden when the API says no. */
export function DeleteButton(p: { type: ResourceType; obj: { metadata: { name: string; namespace?: string } }; after?: () => void; label?: string }) {
  const { api, toasts } = useApp();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const { name, namespace } = p.obj.metadata;
  const run = async () => {
    setBusy(true);
    try {
      await deleteObject(api, p.type, namespace, name);
      toasts.ok(`${p.type.kind} ${name} deleted`);
      setAsking(false);
      p.after?.();
    } catch (e) {
      toasts.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Can verb="delete" group={p.type.group} resource={p.type.resource} namespace={namespace}>
      <button type="button" class="danger small" data-action="delete" title={`Delete ${p.type.kind} ${name}`} onClick={() => setAsking(true)}>{p.label ?? 'Delete'}</button>
      {asking ? (
        <Dialog title={`Delete ${p.type.kind}?`} onClose={() => setAsking(false)}>
          <p>
            Delete {p.type.kind.toLowerCase()} <strong>{name}</strong>{namespace ? <> in namespace <strong>{namespace}</strong></> : null}? Objects it owns are
            deleted with it.
          </p>
          <div class="buttons">
            <button type="button" onClick={() => setAsking(false)} data-confirm="cancel">Cancel</button>
            <button type="button" class="danger" disabled={busy} onClick={run} data-confirm="delete">Delete {name}</button>
          </div>
        </Dialog>
      ) : null}
    </Can>
  );
}

/** Scale through the scale subresource, as `kubectl scale` does. */
export function ScaleButton(p: { type: ResourceType; obj: KubeObject }) {
  const { api, toasts } = useApp();
  const [open, setOpen] = useState(false);
  const [n, setN] = useState(String(p.obj.spec?.replicas ?? 1));
  const { name, namespace } = p.obj.metadata;
  const submit = async (e: Event) => {
    e.preventDefault();
    const replicas = Number(n);
    if (!Number.isInteger(replicas) || replicas < 0) return toasts.error('replicas must be a whole number, 0 or more');
    try {
      await patchObject(api, p.type, namespace, name, { spec: { replicas } }, undefined, 'scale');
      toasts.ok(`${p.type.kind} ${name} scaled to ${replicas}`);
      setOpen(false);
    } catch (err) {
      toasts.error(err);
    }
  };
  return (
    <Can verb="patch" group={p.type.group} resource={p.type.resource} subresource="scale" namespace={namespace}>
      <button type="button" class="small" data-action="scale" onClick={() => { setN(String(p.obj.spec?.replicas ?? 1)); setOpen(true); }}>Scale</button>
      {open ? (
        <Dialog title={`Scale ${name}`} onClose={() => setOpen(false)}>
          <form onSubmit={submit} class="inline-form">
            <label>
              Replicas
              <input type="number" min={0} name="replicas" value={n} onInput={(e) => setN((e.target as HTMLInputElement).value)} autoFocus />
            </label>
            <button type="submit" class="primary">Scale</button>
          </form>
        </Dialog>
      ) : null}
    </Can>
  );
}

/** A link to the generic table of a type. */
export const listHref = (t: ResourceType, ns?: string) => hrefOf({ view: 'list', type: t }, ns);
export { typeSlug };
