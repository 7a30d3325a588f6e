// The YAML editor (loaded on first use, not with the first page): CodeMirror 6 with the YAML language, a linter
// that marks YAML errors and schema problems as you type (validate.ts against the server's OpenAPI documents), and
// colours from the page's CSS variables so it follows light and dark mode.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, bracketMatching, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, forceLinting, lintGutter, linter } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { parse, stringify } from 'yaml';
import type { ApiClient } from '../api/client.js';
import { OpenApiSchemas } from './schemas.js';
import { type Problem, parseYaml, typeOfDoc, validate } from './validate.js';

export type { Problem };

const highlight = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--tok-key)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--tok-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--tok-number)' },
  { tag: [t.comment, t.lineComment], color: 'var(--tok-comment)', fontStyle: 'italic' },
  { tag: [t.meta, t.keyword, t.typeName, t.labelName], color: 'var(--tok-meta)' },
  { tag: [t.punctuation, t.separator, t.squareBracket, t.brace], color: 'var(--fg-muted)' },
]);

const theme = EditorView.theme({
  '&': { color: 'var(--fg)', backgroundColor: 'var(--bg-input)', border: '1px solid var(--border)', borderRadius: '6px', fontSize: '13px' },
  '&.cm-focused': { outline: '2px solid var(--accent)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--bg-alt)', color: 'var(--fg-muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--row-hover)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--row-hover)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection)' },
  '.cm-tooltip': { backgroundColor: 'var(--bg)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-panels': { backgroundColor: 'var(--bg-alt)', color: 'var(--fg)' },
});

export interface Editor {
  text(): string;
  setText(text: string): void;
  /** Checks now and returns every problem (what the marks show). */
  check(): Promise<Problem[]>;
  focus(): void;
  /** Selects a range and scrolls it into view (a click on a problem in the list). */
  reveal(from: number, to: number): void;
  destroy(): void;
}

export interface EditorOptions {
  text: string;
  readOnly?: boolean;
  onChange?: (text: string) => void;
  onProblems?: (p: Problem[]) => void;
}

/** The YAML of an object, as `kubectl get -o yaml` lays it out. */
export const toYaml = (o: unknown): string => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });

/** The objects of a YAML stream (a List's items spread out); throws on a syntax error. */
export function objectsOf(text: string): unknown[] {
  const { docs, problems } = parseYaml(text);
  const err = problems.find((p) => p.severity === 'error');
  if (err) throw new Error(err.message);
  return docs.flatMap((d) => {
    const v = d.value as { kind?: string; items?: unknown[] } | null;
    return v?.kind?.endsWith('List') && Array.isArray(v.items) ? v.items : [v];
  });
}

export { parse as parseYamlValue };

export function createEditor(parent: HTMLElement, api: ApiClient, o: EditorOptions): Editor {
  const schemas = new OpenApiSchemas(api);
  const check = async (text: string): Promise<Problem[]> => {
    const versions = parseYaml(text).docs.map(typeOfDoc).map((x) => x.apiVersion).filter((v): v is string => !!v);
    await schemas.load(versions);
    return validate(text, schemas);
  };
  const lint = linter(async (view): Promise<Diagnostic[]> => {
    const text = view.state.doc.toString();
    const problems = await check(text);
    if (view.state.doc.toString() !== text) return []; // changed meanwhile: the next run reports
    o.onProblems?.(problems);
    const max = view.state.doc.length;
    return problems.map((p) => ({ from: Math.min(p.from, max), to: Math.min(Math.max(p.to, p.from), max), severity: p.severity, message: p.message, source: 'flotilla' }));
  }, { delay: 250 });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: o.text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        foldGutter(),
        lintGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
        yaml(),
        syntaxHighlighting(highlight),
        theme,
        lint,
        EditorState.tabSize.of(2),
        EditorView.lineWrapping, // long values (last-applied-configuration) wrap instead of scrolling sideways
        EditorState.readOnly.of(!!o.readOnly),
        EditorView.editable.of(!o.readOnly),
        EditorView.contentAttributes.of({ 'aria-label': 'YAML', 'data-editor': 'yaml' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange?.(u.state.doc.toString());
        }),
      ],
    }),
  });
  if (!o.readOnly) forceLinting(view);
  return {
    text: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    check: async () => {
      const problems = await check(view.state.doc.toString());
      o.onProblems?.(problems);
      return problems;
    },
    focus: () => view.focus(),
    reveal: (from, to) => {
      const max = view.state.doc.length;
      view.dispatch({ selection: { anchor: Math.min(from, max), head: Math.min(to, max) }, effects: EditorView.scrollIntoView(Math.min(from, max), { y: 'center' }) });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
