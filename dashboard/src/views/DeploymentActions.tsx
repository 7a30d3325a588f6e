// rollout restart and rollout undo, from a list row or a Deployment's page.
import { useState } from 'preact/hooks';
import { R } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { JSON_PATCH, patchObject } from '../actions/objects.js';
import { useApp } from '../store/app.js';
import { Can, Dialog } from '../ui/widgets.js';
import { restartPatch, revisions, undoPatch, undoTarget } from '../util/deployments.js';

export function RestartButton(p: { d: KubeObject }) {
  const { api, toasts } = useApp();
  const { name, namespace } = p.d.metadata;
  const run = async () => {
    try {
      await patchObject(api, R.deployments, namespace, name, restartPatch(p.d));
      toasts.ok(`deployment ${name} restarted`);
    } catch (e) {
      toasts.error(e);
    }
  };
  return (
    <Can verb="patch" group="apps" resource="deployments" namespace={namespace}>
      <button type="button" class="small" data-action="restart" onClick={run} title="Replace every pod (rollout restart)">Restart</button>
    </Can>
  );
}

/** Rolls back to a revision (default: the previous one), after a confirmation naming it. */
export function UndoButton(p: { d: KubeObject; replicaSets: ReadonlyMap<string, KubeObject>; to?: number; label?: string }) {
  const { api, toasts } = useApp();
  const [asking, setAsking] = useState<{ revision: number; images: string[] } | undefined>();
  const { name, namespace } = p.d.metadata;
  const ask = () => {
    try {
      const target = undoTarget(revisions(p.d, p.replicaSets.values()), p.to);
      setAsking({ revision: target.revision, images: target.images });
    } catch (e) {
      toasts.error(e);
    }
  };
  const run = async () => {
    try {
      const target = undoTarget(revisions(p.d, p.replicaSets.values()), p.to);
      await patchObject(api, R.deployments, namespace, name, undoPatch(p.d, target), JSON_PATCH);
      toasts.ok(`deployment ${name} rolled back to revision ${target.revision}`);
      setAsking(undefined);
    } catch (e) {
      toasts.error(e);
    }
  };
  return (
    <Can verb="patch" group="apps" resource="deployments" namespace={namespace}>
      <button type="button" class="small" data-action="undo" onClick={ask} title="Roll back (rollout undo)">{p.label ?? 'Undo'}</button>
      {asking ? (
        <Dialog title={`Roll back ${name}?`} onClose={() => setAsking(undefined)}>
          <p>Roll deployment <strong>{name}</strong> back to revision <strong>{asking.revision}</strong> ({asking.images.join(', ')})?</p>
          <div class="buttons">
            <button type="button" onClick={() => setAsking(undefined)}>Cancel</button>
            <button type="button" class="primary" onClick={run} data-confirm="undo">Roll back</button>
          </div>
        </Dialog>
      ) : null}
    </Can>
  );
}
