// The Preact side of the editor: loads the editor chunk on first use and lists the problems it finds under it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../store/app.js';
import type { Editor, Problem } from '../editor/index.js';

type EditorModule = typeof import('../editor/index.js');
let loading: Promise<EditorModule> | undefined;
export const loadEditor = (): Promise<EditorModule> => (loading ??= import('../editor/index.js'));

/** The line and column of an offset, 1-based, for the problem list. */
export function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before[before.length - 1]?.length ?? 0) + 1}`;
}

export function YamlEditor(p: { text: string; readOnly?: boolean; onReady?: (e: Editor) => void; onProblems?: (ps: Problem[]) => void;
  onChange?: (t: string) => void }) {
  const { api } = useApp();
  const host = useRef<HTMLDivElement>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [text, setText] = useState(p.text);
  const [failed, setFailed] = useState<string | undefined>();
  const current = useRef<Editor | undefined>(undefined);
  useEffect(() => {
    let editor: Editor | undefined;
    let live = true;
    loadEditor().then((m) => {
      if (!live || !host.current) return;
      editor = m.createEditor(host.current, api, {
        text: p.text,
        readOnly: p.readOnly,
        onChange: (t) => {
          setText(t);
          p.onChange?.(t);
        },
        onProblems: (ps) => {
          setProblems(ps);
          p.onProblems?.(ps);
        },
      });
      current.current = editor;
      p.onReady?.(editor);
    }, (e: Error) => setFailed(e.message));
    return () => {
      live = false;
      current.current = undefined;
      editor?.destroy();
    };
  }, [p.readOnly]);
  // a new text from outside (the live object changed) replaces the content in place
  useEffect(() => {
    const e = current.current;
    if (e && e.text() !== p.text) e.setText(p.text);
  }, [p.text]);
  return (
    <div class="yaml-editor">
      <div class="editor-host" ref={host} />
      {failed ? <p class="error-note">The editor failed to load: {failed}</p> : null}
      {problems.length && !p.readOnly ? (
        <ul class="problems" aria-live="polite">
          {problems.map((x, i) => (
            <li key={i} class={x.severity} data-problem={x.severity}>
              <button type="button" class="link where" title="Show it in the editor" onClick={() => current.current?.reveal(x.from, x.to)}>{lineCol(text, x.from)}</button> {x.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
