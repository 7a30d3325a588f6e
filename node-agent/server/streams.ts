// exec, attach and port-forward at the node agent: each request is checked (stream-request.ts), its container or
// sandbox found, the runtime asked for a streaming URL (CRI Exec, Attach, PortForward), and the client's
// connection then served as stream-request.ts's StreamMode says. For port-forward the runtime (containerd) connects
// to the port on localhost inside the pod's network namespace, as the kubelet's does: ports a pod binds to
// 127.0.0.1 are reachable, host-network pods work, and the agent needs no route to the pod.
//
// Every session is tracked until both of its sides have closed: stop() ends them all, and a port-forward ends when
// its pod goes (deleted, or its sandbox stopped), so `kubectl port-forward` exits instead of forwarding into nothing.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { logger } from '../../lib/util/log.js';
import { SpdyConnection } from '../../lib/util/spdy/connection.js';
import { PORT_FORWARD_TUNNEL, REMOTE_COMMAND_V5 } from '../../lib/util/streaming.js';
import { refuseUpgrade, splice } from '../../lib/util/upgrade.js';
import type { CriClient } from '../cri/client.js';
import { findContainer, podOnNode, readySandbox, type PodLookup } from './containers.js';
import { HttpError, status } from './errors.js';
import { dialRuntimeFor, dialRuntimeSpdy } from './runtime-streams.js';
import { parseStreamRequest, runtimeProtocol, type StreamKind, type StreamRequest } from './stream-request.js';
import { translateRemoteCommand } from './translate.js';

const log = logger('node-agent-streams');

/** How often port-forwards check that their pod is still there. */
const POD_CHECK_MS = 1_000;
/** The largest WebSocket message taken from a client (stdin pieces, tunnelled SPDY frames). */
const MAX_MESSAGE = 16 * 1024 * 1024;

interface Session {
  kind: StreamKind;
  namespace: string;
  pod: string;
  uid: string;
  close(): void;
}

export class StreamServer {
  private readonly v5 = this.wsServer(REMOTE_COMMAND_V5);
  private readonly tunnels = this.tunnelServer();
  private readonly sessions = new Set<Session>();
  private podCheck?: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly pods: PodLookup, private readonly cri: CriClient) {}

  private wsServer(protocol: string): WebSocketServer {
    const wss = new WebSocketServer({
      noServer: true, perMessageDeflate: false, maxPayload: MAX_MESSAGE, handleProtocols: (offered) => (offered.has(protocol) ? protocol : false),
    });
    wss.on('wsClientError', (err: Error, socket: Duplex) => refuseUpgrade(socket, status(400, `unable to upgrade connection: ${err.message}`)));
    return wss;
  }

  /**
   * The tunnel's subprotocol, `SPDY/3.1+portforward.k8s.io`, is not an RFC 6455 token ('/' is not allowed), which
   * the ws library refuses to parse or send; kubectl sends it and expects it back. So the agent takes the header
   * out of the request before ws sees it (having chosen the tunnel itself, stream-request.ts) and adds the answer.
   */
  private tunnelServer(): WebSocketServer {
    const wss = this.wsServer(PORT_FORWARD_TUNNEL);
    wss.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${PORT_FORWARD_TUNNEL}`));
    return wss;
  }

  /** Streaming sessions open now. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Serves one upgrade on a guarded socket; throws HttpError (answered by the caller) before anything is upgraded. */
  async serve(req: IncomingMessage, url: URL, socket: Duplex, head: Buffer): Promise<void> {
    const r = parseStreamRequest(req, url);
    const pod = podOnNode(this.pods, r.namespace, r.pod);
    const uid = pod.metadata.uid as string;
    let runtimeUrl: string;
    if (r.kind === 'portforward') {
      const sandbox = await readySandbox(this.cri, uid);
      if (!sandbox) throw new HttpError(500, `failed to find sandboxID for pod ${r.pod}_${r.namespace}(${uid})`);
      if (socket.destroyed) return;
      runtimeUrl = await this.cri.portForward(sandbox.id, r.ports);
    } else {
      const name = r.container as string;
      const c = await findContainer(this.cri, pod, name, false);
      if (c.state !== 'CONTAINER_RUNNING') throw new HttpError(400, r.kind === 'exec' ? `cannot exec in a stopped container: ${name}` : `cannot attach to a stopped container: ${name}`);
      if (socket.destroyed) return;
      const streams = { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, tty: r.tty };
      runtimeUrl = r.kind === 'exec' ? await this.cri.exec({ containerId: c.id, cmd: r.command, ...streams }) : await this.cri.attach({ containerId: c.id, ...streams });
    }
    // the client left while we looked: the runtime's unused URL expires on its own
    if (socket.destroyed) return;
    const session = { kind: r.kind, namespace: r.namespace, pod: r.pod, uid };
    if (r.mode === 'splice') return this.splice(session, r, runtimeUrl, req, socket, head);
    return this.terminate(session, r, runtimeUrl, req, socket, head);
  }

  /** The runtime speaks the client's protocol: the client's request goes to it as it is, then bytes both ways. */
  private async splice(s: Omit<Session, 'close'>, r: StreamRequest, runtimeUrl: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const query = r.ports.map((p) => `port=${p}`).join('&');
    let upstream: Duplex;
    try {
      upstream = await dialRuntimeFor(runtimeUrl, req.method ?? 'GET', req.rawHeaders, head, socket, query);
    } catch (e) {
      if (socket.destroyed) return;
      throw new HttpError(500, `unable to reach the runtime's streaming server: ${(e as Error).message}`);
    }
    if (socket.destroyed) {
      upstream.destroy();
      return;
    }
    this.track({ ...s, close: () => (socket.destroy(), upstream.destroy()) }, [socket, upstream]);
    splice(socket, upstream);
  }

  /**
   * The runtime does not speak the client's protocol (v5, or the SPDY tunnel): the agent opens its own SPDY
   * connection to it first, so a refusal still reaches the client as an HTTP answer, then accepts the WebSocket.
   */
  private async terminate(s: Omit<Session, 'close'>, r: StreamRequest, runtimeUrl: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let runtime: Duplex;
    try {
      runtime = (await dialRuntimeSpdy(runtimeUrl, runtimeProtocol(r.kind), socket)).socket;
    } catch (e) {
      if (socket.destroyed) return;
      throw new HttpError(500, `unable to upgrade to the runtime's streaming server: ${(e as Error).message}`);
    }
    // if the handshake fails (wsClientError answers it) or the client leaves, the runtime connection goes too
    const abandon = () => runtime.destroy();
    socket.once('close', abandon);
    if (socket.destroyed) {
      abandon();
      return;
    }
    const wss = r.mode === 'tunnel' ? this.tunnels : this.v5;
    if (r.mode === 'tunnel') delete req.headers['sec-websocket-protocol'];
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      socket.off('close', abandon);
      if (r.mode === 'tunnel') {
        // the messages are the SPDY connection's bytes, both ways
        const tunnel = createWebSocketStream(ws);
        // the ws stream only ends when the WebSocket closes; destroying it lets splice end the runtime side too
        socket.once('close', () => tunnel.destroy());
        this.track({ ...s, close: () => (tunnel.destroy(), runtime.destroy(), socket.destroy()) }, [socket, runtime]);
        splice(tunnel, runtime);
        return;
      }
      const relay = translateRemoteCommand(ws, new SpdyConnection(runtime, 'client'), { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, tty: r.tty });
      const session = { ...s, close: relay.close };
      this.sessions.add(session);
      void relay.done.then(() => this.sessions.delete(session));
    });
  }

  /** A session lasts until every one of its sockets has closed. */
  private track(session: Session, sockets: Duplex[]): void {
    this.sessions.add(session);
    let open = sockets.length;
    for (const sock of sockets) {
      const gone = () => {
        if (--open === 0) this.sessions.delete(session);
      };
      if (sock.destroyed) gone();
      else sock.once('close', gone);
    }
    if (session.kind === 'portforward') this.podCheck ??= setInterval(() => void this.checkPods(), POD_CHECK_MS);
  }

  /** Port-forwards into pods that are gone (deleted, replaced under the same name, or their sandbox stopped) end. */
  private async checkPods(): Promise<void> {
    const forwards = [...this.sessions].filter((s) => s.kind === 'portforward');
    if (!forwards.length) {
      clearInterval(this.podCheck);
      this.podCheck = undefined;
      return;
    }
    if (this.checking) return;
    this.checking = true;
    try {
      const byUid = new Map<string, Session[]>();
      for (const s of forwards) byUid.set(s.uid, [...(byUid.get(s.uid) ?? []), s]);
      for (const [uid, list] of byUid) {
        const first = list[0] as Session;
        const pod = this.pods.podByName(first.namespace, first.pod);
        let gone = pod?.metadata.uid !== uid;
        if (!gone) gone = !(await readySandbox(this.cri, uid).catch(() => true));
        if (!gone) continue;
        log.info('ending port-forwards: the pod is gone', { pod: `${first.namespace}/${first.pod}`, uid, sessions: list.length });
        for (const s of list) s.close();
      }
    } finally {
      this.checking = false;
    }
  }

  /** Ends every session (the agent is stopping). */
  close(): void {
    clearInterval(this.podCheck);
    this.podCheck = undefined;
    for (const s of this.sessions) s.close();
    for (const wss of [this.v5, this.tunnels]) {
      for (const c of wss.clients) c.terminate();
      wss.close();
    }
  }
}
