// Small pieces the views share: links into the app, bars, the access-review gate, status pills, dialogs.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ResourceAttributes } from '../api/access.js';
import { shows, useCan } from '../store/hooks.js';
import { useApp } from '../store/app.js';
import { type Route, hrefOf } from './route.js';

/** An in-app link that keeps the namespace picked. */
export function Link(p: { to: Route; class?: string; children: ComponentChildren; title?: string }) {
  const { router } = useApp();
  return <a href={hrefOf(p.to, router.location.ns)} class={p.class} title={p.title}>{p.children}</a>;
}

/** Shows its children only when the API allows the action, or can't say (no access reviews served yet). */
export function Can(p: ResourceAttributes & { children: ComponentChildren }) {
  const { children, ...attrs } = p;
  const answer = useCan(attrs);
  return shows(answer) ? <>{children}</> : null;
}

/** A horizontal bar: used / total, with a label. */
export function Bar(p: { value: number; max: number; label?: string; kind?: 'usage' | 'requests' | 'progress' }) {
  const pct = p.max > 0 && Number.isFinite(p.value) ? Math.max(0, Math.min(100, (p.value / p.max) * 100)) : 0;
  // a nearly full node is worth a colour; a nearly complete rollout is not
  const level = p.kind === 'progress' ? '' : pct >= 90 ? 'high' : pct >= 70 ? 'mid' : 'low';
  return (
    <div class={`bar ${p.kind ?? 'usage'}${level ? ` ${level}` : ''}`} role="meter" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100} aria-label={p.label}>
      <span class="fill" style={{ width: `${pct}%` }} />
      {p.label ? <span class="bar-label">{p.label}</span> : null}
    </div>
  );
}

const GOOD = new Set(['Running', 'Ready', 'Active', 'Succeeded', 'Completed', 'Bound', 'True', 'Normal', 'Available', 'Complete']);
const BAD = new Set(['Failed', 'Error', 'CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'NotReady', 'Unknown', 'Warning', 'OOMKilled', 'False', 'Evicted']);

export function Pill(p: { text: string }) {
  const head = p.text.split(',')[0] ?? p.text;
  const cls = GOOD.has(head) ? 'good' : BAD.has(head) || head.startsWith('Init:Error') ? 'bad' : 'warn';
  return <span class={`pill ${cls}`}>{p.text}</span>;
}

/** A modal dialog (the native <dialog>: focus trapped, Escape closes). */
export function Dialog(p: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    const close = () => p.onClose();
    d?.addEventListener('close', close);
    return () => d?.removeEventListener('close', close);
  }, []);
  return (
    <dialog ref={ref} class={p.wide ? 'wide' : undefined} aria-label={p.title}>
      <header>
        <h2>{p.title}</h2>
        <button type="button" class="icon" aria-label="Close" onClick={() => ref.current?.close()}>✕</button>
      </header>
      {p.children}
    </dialog>
  );
}

/** The title line of a view, with its filter box and buttons. */
export function ViewHeader(p: { title: string; children?: ComponentChildren; filter?: string; onFilter?: (s: string) => void; count?: number; live?: boolean;
  updates?: number }) {
  return (
    <div class="view-header">
      <h1>{p.title}{p.count !== undefined ? <span class="count">{p.count}</span> : null}</h1>
      {p.live !== undefined ? <span class={`live ${p.live ? 'on' : 'off'}`} title={p.live ? 'Live: updated as the cluster changes' : 'Connecting...'} data-updates={p.updates}>{p.live ? 'live' : '…'}</span> : null}
      <div class="spacer" />
      {p.onFilter ? <input type="search" class="filter" placeholder="Filter  (/)" aria-label="Filter" value={p.filter} onInput={(e) => p.onFilter?.((e.target as HTMLInputElement).value)} data-filter /> : null}
      {p.children}
    </div>
  );
}

export function ErrorNote(p: { error?: { message: string; code?: number } }) {
  if (!p.error) return null;
  return <p class="error-note" role="alert">{p.error.code === 403 ? 'Not allowed: ' : ''}{p.error.message}</p>;
}
