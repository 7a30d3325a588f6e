// The terminal (loaded on first use): xterm.js wired to an exec WebSocket. Keys go to stdin, stdout is drawn, the
// terminal is fitted to its box and every size change is sent on the resize channel, so `stty size` in the shell
// follows the window.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { CLOSE, ERROR, STDERR, STDIN, STDOUT, execUrl, exitOf, frame, parseFrame, protocols, resizeFrame } from './channel.js';

export interface TerminalSession {
  close(): void;
}

export interface TerminalOptions {
  origin: string;
  token?: string;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  onState(state: 'connecting' | 'open' | 'closed', message?: string): void;
}

function themeFromCss(): Record<string, string> {
  const css = getComputedStyle(document.documentElement);
  const v = (n: string) => css.getPropertyValue(n).trim();
  return { background: v('--term-bg'), foreground: v('--term-fg'), cursor: v('--term-fg'), selectionBackground: v('--selection') };
}

export function openTerminal(parent: HTMLElement, o: TerminalOptions): TerminalSession {
  const term = new Terminal({ cursorBlink: true, fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || 'monospace', fontSize: 13, theme: themeFromCss(), scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(parent);
  const ws = new WebSocket(execUrl(o.origin, o.namespace, o.pod, o.container, o.command), protocols(o.token));
  ws.binaryType = 'arraybuffer';
  o.onState('connecting');
  const decoder = new TextDecoder();
  let lastSize = '';
  const sendSize = () => {
    try {
      fit.fit();
    } catch {
      return; // not laid out yet
    }
    const size = `${term.cols}x${term.rows}`;
    if (ws.readyState === WebSocket.OPEN && size !== lastSize) {
      lastSize = size;
      ws.send(resizeFrame(term.cols, term.rows));
    }
  };
  ws.onopen = () => {
    o.onState('open');
    sendSize();
    term.focus();
  };
  ws.onmessage = (e) => {
    if (!(e.data instanceof ArrayBuffer)) return;
    const { channel, data } = parseFrame(e.data);
    if (channel === STDOUT || channel === STDERR) term.write(data);
    else if (channel === ERROR) {
      const exit = exitOf(decoder.decode(data));
      term.write(`\r\n\x1b[2m[${exit.code === 0 ? 'exited' : exit.message ?? `exit code ${exit.code}`}]\x1b[0m\r\n`);
    }
  };
  ws.onclose = (e) => o.onState('closed', e.reason || (e.code === 1000 ? 'session ended' : `connection closed (${e.code})`));
  ws.onerror = () => o.onState('closed', 'the exec connection failed (is the pod running, and may you exec into it?)');
  const input = term.onData((d) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame(STDIN, d));
  });
  const binary = term.onBinary((d) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame(STDIN, Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
  });
  const observer = new ResizeObserver(() => sendSize());
  observer.observe(parent);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const retheme = () => {
    term.options.theme = themeFromCss();
  };
  scheme.addEventListener('change', retheme);
  return {
    close() {
      observer.disconnect();
      scheme.removeEventListener('change', retheme);
      input.dispose();
      binary.dispose();
      if (ws.readyState === WebSocket.OPEN && ws.protocol.startsWith('v5')) ws.send(frame(CLOSE, new Uint8Array([STDIN])));
      ws.close(1000);
      term.dispose();
    },
  };
}
