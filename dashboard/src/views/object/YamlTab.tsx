// An object's YAML: read-only, or edited and saved (dry run first, then a replace on top of the resourceVersion
// the editor started from, so someone else's change in between is a conflict, not silently lost).
import { useMemo, useState } from 'preact/hooks';
import type { ResourceType } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { editable, replaceObject } from '../../actions/objects.js';
import type { Editor, Problem } from '../../editor/index.js';
import { useApp } from '../../store/app.js';
import { shows, useCan } from '../../store/hooks.js';
import { loadEditor, YamlEditor } from '../YamlEditor.js';
import { useEffect } from 'preact/hooks';

export function YamlTab(p: { type: ResourceType; obj: KubeObject }) {
  const { api, toasts } = useApp();
  const [editing, setEditing] = useState<string | undefined>(); // the text the edit started from
  const [yamlText, setYamlText] = useState<string | undefined>();
  const [editor, setEditor] = useState<Editor | undefined>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const canUpdate = useCan({ verb: 'update', group: p.type.group, resource: p.type.resource, namespace: p.obj.metadata.namespace, name: p.obj.metadata.name });
  // the read-only view follows the live object; an edit in progress keeps the text it started from
  const live = useMemo(() => editable(p.obj), [p.obj]);
  useEffect(() => {
    let on = true;
    void loadEditor().then((m) => on && setYamlText(m.toYaml(live)));
    return () => {
      on = false;
    };
  }, [live]);
  const errors = problems.filter((x) => x.severity === 'error');
  const save = async () => {
    if (!editor) return;
    setBusy(true);
    try {
      if ((await editor.check()).some((x) => x.severity === 'error')) return;
      const { objectsOf } = await loadEditor();
      const objs = objectsOf(editor.text()) as KubeObject[];
      if (objs.length !== 1 || !objs[0]) throw new Error('the editor must hold exactly this one object');
      const o = objs[0];
      if (o.metadata?.name !== p.obj.metadata.name || (o.kind && o.kind !== p.type.kind)) throw new Error(`the name and kind can't change here (create a new object instead)`);
      await replaceObject(api, p.type, { ...o, metadata: { ...o.metadata, namespace: p.obj.metadata.namespace } });
      toasts.ok(`${p.type.kind} ${p.obj.metadata.name} saved`);
      setEditing(undefined);
    } catch (e) {
      toasts.error(e);
    } finally {
      setBusy(false);
    }
  };
  if (yamlText === undefined) return <p class="muted">Loading…</p>;
  if (editing !== undefined) {
    return (
      <div class="yaml-edit">
        <YamlEditor text={editing} onReady={setEditor} onProblems={setProblems} />
        <div class="buttons">
          <span class="muted">{errors.length ? `${errors.length} problem${errors.length === 1 ? '' : 's'} to fix first` : 'Saved with a server-side dry run first'}</span>
          <button type="button" onClick={() => setEditing(undefined)}>Cancel</button>
          <button type="button" class="primary" disabled={busy || errors.length > 0} onClick={save} data-action="save">Save</button>
        </div>
      </div>
    );
  }
  return (
    <div class="yaml-view">
      {shows(canUpdate) ? <div class="buttons"><button type="button" class="primary" data-action="edit" onClick={() => setEditing(yamlText)}>Edit</button></div> : null}
      <YamlEditor text={yamlText} readOnly />
    </div>
  );
}
