// What a streaming request to the node agent asks for, read and checked before anything is done for it. The paths
// are the kubelet's, as the API server calls them:
//   /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty
//   /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty
//   /portForward/{namespace}/{pod}[?port=P...]   (ports in the query for the WebSocket channel protocol)
// Every check here comes before the transport's, so that kubectl's SPDY fallback after a refused WebSocket hears
// the same reason as its first try.
import type { IncomingMessage } from 'node:http';
import { queryBool } from '../../lib/api/query.js';
import { PORT_FORWARD_TUNNEL, PORT_FORWARD_V1, REMOTE_COMMAND_V4, REMOTE_COMMAND_V5, headerList, parsePorts } from '../../lib/util/streaming.js';
import { HttpError } from './errors.js';

export type StreamKind = 'exec' | 'attach' | 'portforward';

/**
 * How the client's connection is served:
 * - splice: the runtime's streaming server speaks the client's protocol; the upgrade passes through to it untouched
 *   (SPDY for all three, and the WebSocket protocols it knows);
 * - translate: v5.channel.k8s.io, which the runtime predates, spoken by the agent to the client and SPDY to it;
 * - tunnel: kubectl 1.31+'s port-forward, SPDY carried in WebSocket messages, unwrapped onto a SPDY connection to it.
 */
export type StreamMode = 'splice' | 'translate' | 'tunnel';

/** WebSocket subprotocols the runtime's remote command server speaks itself ('' is none offered). */
const RUNTIME_REMOTE_COMMAND_WS = [REMOTE_COMMAND_V4, 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];
/** WebSocket subprotocols of the runtime's port-forward channel protocol. */
const RUNTIME_PORT_FORWARD_WS = [REMOTE_COMMAND_V4, 'v4.base64.channel.k8s.io'];

export interface StreamRequest {
  kind: StreamKind;
  namespace: string;
  pod: string;
  /** exec and attach */
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** port-forward: the ports of the query (the WebSocket channel protocol needs them) */
  ports: number[];
  mode: StreamMode;
}

const PATHS: Array<[StreamKind, RegExp]> = [
  ['exec', /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/],
  ['attach', /^\/attach\/([^/]+)\/([^/]+)\/([^/]+)$/],
  ['portforward', /^\/portForward\/([^/]+)\/([^/]+)$/],
];

export function isStreamPath(pathname: string): boolean {
  return PATHS.some(([, re]) => re.test(pathname));
}

export function parseStreamRequest(req: IncomingMessage, url: URL): StreamRequest {
  const match = PATHS.map(([kind, re]) => [kind, re.exec(url.pathname)] as const).find(([, m]) => m);
  if (!match) throw new HttpError(404, `no handler for ${url.pathname}`);
  const [kind, m] = match as [StreamKind, RegExpExecArray];
  const [namespace, pod, container] = m.slice(1).map(decodeURIComponent) as [string, string, string | undefined];
  const q = url.searchParams;
  const tty = queryBool(q, 'tty');
  const r: StreamRequest = {
    kind, namespace, pod, container, command: q.getAll('command'), tty,
    // a terminal has one output stream
    stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr') && !tty,
    ports: [], mode: 'splice',
  };
  if (kind === 'exec' && !r.command.length) throw new HttpError(400, 'you must specify at least one command for the container');
  if (kind !== 'portforward' && !r.stdin && !r.stdout && !r.stderr) throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');

  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  const offered = headerList(req.headers['sec-websocket-protocol']);
  if (upgrade === 'websocket') {
    if (kind === 'portforward') {
      if (offered.includes(PORT_FORWARD_TUNNEL)) r.mode = 'tunnel';
      else {
        refuseUnknown(offered, RUNTIME_PORT_FORWARD_WS, [PORT_FORWARD_TUNNEL]);
        try {
          r.ports = parsePorts(q.getAll('port'));
        } catch (e) {
          throw new HttpError(400, (e as Error).message);
        }
      }
    } else if (offered.includes(REMOTE_COMMAND_V5)) r.mode = 'translate';
    else refuseUnknown(offered, RUNTIME_REMOTE_COMMAND_WS, [REMOTE_COMMAND_V5]);
  } else if (!upgrade.startsWith('spdy/3.1')) {
    throw new HttpError(400, 'Upgrade request required');
  } else if (kind === 'portforward' && q.getAll('port').length) {
    try {
      r.ports = parsePorts(q.getAll('port'));
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
  }
  return r;
}

/** A WebSocket client offering only protocols nobody here speaks hears which ones are spoken. */
function refuseUnknown(offered: string[], runtime: string[], ours: string[]): void {
  if (!offered.length || offered.some((p) => runtime.includes(p))) return;
  throw new HttpError(400, `unable to upgrade connection: requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${[...ours, ...runtime].join(' ')}]`);
}

/** The SPDY protocol the agent asks the runtime for when it opens the connection itself. */
export function runtimeProtocol(kind: StreamKind): string {
  return kind === 'portforward' ? PORT_FORWARD_V1 : REMOTE_COMMAND_V4;
}
