// A shell in a container: bash when the image has it, else sh.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KubeObject } from '../../api/types.js';
import { useApp } from '../../store/app.js';
import { containerNames } from '../../util/pods.js';

const SHELL = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

export function TerminalTab(p: { pod: KubeObject }) {
  const { session } = useApp();
  const names = containerNames(p.pod);
  const [container, setContainer] = useState(names[0] ?? '');
  const [state, setState] = useState<{ s: string; message?: string }>({ s: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const host = useRef<HTMLDivElement>(null);
  const { name, namespace } = p.pod.metadata;
  const running = p.pod.status?.phase === 'Running';
  useEffect(() => {
    if (!host.current || !running) return undefined;
    let closed = false;
    let close: (() => void) | undefined;
    void import('../../terminal/index.js').then((m) => {
      if (closed || !host.current) return;
      const t = m.openTerminal(host.current, {
        origin: location.origin,
        token: session.token,
        namespace: namespace ?? 'default',
        pod: name,
        container,
        command: SHELL,
        onState: (s, message) => setState({ s, message }),
      });
      close = () => t.close();
    });
    return () => {
      closed = true;
      close?.();
    };
  }, [namespace, name, container, attempt, running, session]);
  if (!running) return <p class="muted">The pod isn't running ({p.pod.status?.phase ?? 'Pending'}): there is no container to open a shell in.</p>;
  return (
    <div class="terminal">
      <div class="toolbar">
        {names.length > 1 ? (
          <label>Container
            <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
              {names.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
        ) : null}
        <span class={`stream-state ${state.s}`} data-terminal-state={state.s}>{state.s}{state.message ? `: ${state.message}` : ''}</span>
        {state.s === 'closed' ? <button type="button" class="small" onClick={() => setAttempt(attempt + 1)}>Reconnect</button> : null}
      </div>
      <div class="term-host" ref={host} data-terminal />
    </div>
  );
}
