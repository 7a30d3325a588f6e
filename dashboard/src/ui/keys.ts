// Keyboard shortcuts: `g` then a letter goes to a view, `/` filters, `c` creates, `n` picks the namespace, `?`
// lists them. Keys typed into a field, an editor or a terminal are theirs, not ours.
import type { Section } from './route.js';

export const GOTO: Record<string, Section> = { o: 'overview', w: 'workloads', p: 'pods', s: 'services', c: 'config', n: 'nodes', e: 'events', r: 'resources' };

export const SHORTCUTS: Array<[string, string]> = [
  ...Object.entries(GOTO).map(([k, v]): [string, string] => [`g ${k}`, `go to ${v}`]),
  ['/', 'filter the list'],
  ['j / k', 'next / previous row (in a list)'],
  ['Enter', 'open the selected row'],
  ['c', 'create (form or YAML)'],
  ['n', 'choose the namespace'],
  ['?', 'this help'],
  ['Esc', 'close a dialog'],
];

export interface KeyActions {
  go(section: Section): void;
  create(): void;
  focusFilter(): boolean;
  focusNamespace(): void;
  help(): void;
}

/** Whether a key event belongs to what has focus (a field, the editor, the terminal) rather than to the page. */
export function ownedByFocus(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  return !!el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], .cm-editor, .xterm, dialog');
}

export function installShortcuts(win: Window, a: KeyActions): () => void {
  let pendingG = 0;
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || ownedByFocus(e.target)) return;
    const now = Date.now();
    if (pendingG && now - pendingG < 1500) {
      pendingG = 0;
      const section = GOTO[e.key];
      if (section) {
        e.preventDefault();
        a.go(section);
      }
      return;
    }
    switch (e.key) {
      case 'g':
        pendingG = now;
        return;
      case '/':
        if (a.focusFilter()) e.preventDefault();
        return;
      case 'c':
        a.create();
        break;
      case 'n':
        a.focusNamespace();
        break;
      case '?':
        a.help();
        break;
      default:
        return;
    }
    e.preventDefault();
  };
  win.addEventListener('keydown', onKey);
  return () => win.removeEventListener('keydown', onKey);
}
