// A pod's log, streamed (GET pods/NAME/log?follow=true read through fetch + ReadableStream): container choice,
// the previous instance's log, timestamps, search (matching lines only, or every line with matches marked).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { R, objectPath } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { LineSplitter } from '../../api/lines.js';
import { useApp } from '../../store/app.js';
import { containerNames, hasPrevious } from '../../util/pods.js';

const MAX_LINES = 5000;
type State = 'connecting' | 'streaming' | 'ended' | 'error';

function Highlighted(p: { line: string; term: string }) {
  if (!p.term) return <>{p.line}</>;
  const parts: preact.ComponentChildren[] = [];
  const lower = p.line.toLowerCase();
  let i = 0;
  for (;;) {
    const j = lower.indexOf(p.term, i);
    if (j < 0) break;
    parts.push(p.line.slice(i, j), <mark key={j}>{p.line.slice(j, j + p.term.length)}</mark>);
    i = j + p.term.length;
  }
  parts.push(p.line.slice(i));
  return <>{parts}</>;
}

export function LogsTab(p: { pod: KubeObject }) {
  const { api } = useApp();
  const names = containerNames(p.pod);
  const [container, setContainer] = useState(names[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [search, setSearch] = useState('');
  const [onlyMatching, setOnlyMatching] = useState(true);
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<State>('connecting');
  // which stream the state is of (the container, and whether its previous instance): a state left by the stream
  // before a change is not taken for the new one's
  const [stream, setStream] = useState('');
  const [error, setError] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const { name, namespace } = p.pod.metadata;

  useEffect(() => {
    const abort = new AbortController();
    let pending: string[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      // a stream that was replaced (another container, the previous instance) adds nothing to the new one's lines
      if (abort.signal.aborted) return;
      const batch = pending;
      pending = [];
      setLines((prev) => (prev.length + batch.length > MAX_LINES ? [...prev, ...batch].slice(-MAX_LINES) : [...prev, ...batch]));
    };
    const push = (ls: string[]) => {
      if (abort.signal.aborted) return;
      pending.push(...ls);
      if (!frame) frame = requestAnimationFrame(flush);
    };
    setLines([]);
    setState('connecting');
    setStream(previous ? `${container} previous` : container);
    setError('');
    (async () => {
      const res = await api.fetch('GET', objectPath(R.pods, namespace, name, 'log'), {
        query: { container, follow: follow && !previous ? 'true' : undefined, previous: previous ? 'true' : undefined, timestamps: timestamps ? 'true' : undefined, tailLines: 1000 },
        accept: '*/*',
        signal: abort.signal,
      });
      if (abort.signal.aborted) return;
      setState('streaming');
      const reader = (res.body as ReadableStream).pipeThrough(new TextDecoderStream()).getReader();
      const split = new LineSplitter();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          push(split.flush());
          // the last lines are shown with the end, not a frame after it
          if (frame) cancelAnimationFrame(frame);
          flush();
          break;
        }
        push(split.push(value));
      }
      if (!abort.signal.aborted) setState('ended');
    })().catch((e: Error) => {
      if (abort.signal.aborted) return;
      setError(e.message);
      setState('error');
    });
    return () => {
      abort.abort();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [api, namespace, name, container, follow, previous, timestamps]);

  const term = search.trim().toLowerCase();
  const shown = useMemo(() => (term && onlyMatching ? lines.filter((l) => l.toLowerCase().includes(term)) : lines), [lines, term, onlyMatching]);

  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  return (
    <div class="logs">
      <div class="toolbar">
        {names.length > 1 ? (
          <label>Container
            <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)} data-container>
              {names.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
        ) : null}
        <label class="check"><input type="checkbox" checked={follow} disabled={previous} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} data-follow /> Follow</label>
        <label class="check" title={hasPrevious(p.pod, container) ? 'The log of the container before its last restart' : 'The container has not restarted'}>
          <input type="checkbox" checked={previous} onChange={(e) => setPrevious((e.target as HTMLInputElement).checked)} data-previous /> Previous
        </label>
        <label class="check"><input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps((e.target as HTMLInputElement).checked)} /> Timestamps</label>
        <input type="search" placeholder="Search the log" aria-label="Search the log" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} data-log-search />
        <label class="check"><input type="checkbox" checked={onlyMatching} onChange={(e) => setOnlyMatching((e.target as HTMLInputElement).checked)} /> Matching lines only</label>
        <span class={`stream-state ${state}`} data-log-state={state} data-log-stream={stream}>{state === 'streaming' ? (follow && !previous ? 'following' : 'reading') : state}</span>
      </div>
      {error ? <p class="error-note" role="alert">{error}</p> : null}
      <div class="log" role="log" ref={box} data-log onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      }}>
        {shown.map((l, i) => <div key={i} class="line"><Highlighted line={l} term={term} /></div>)}
      </div>
      <p class="muted small-note">{lines.length} lines{term ? `, ${shown.length} shown` : ''}{lines.length >= MAX_LINES ? ` (the last ${MAX_LINES})` : ''}</p>
    </div>
  );
}
