// A SPDY/3.1 connection over any byte stream (a TCP socket after an HTTP upgrade, or a WebSocket carrying SPDY as
// kubectl's port-forward tunnel does), with the semantics Kubernetes streams rely on, as Go's spdystream (kubectl,
// containerd) implements them:
// - streams are opened by SYN_STREAM with headers (streamType, port, requestID ...) and accepted by SYN_REPLY; data
//   sent on a stream before its reply is dropped by spdystream, so writes wait for the reply;
// - each side half-closes a stream with FIN; RST_STREAM aborts it;
// - PINGs from the peer are echoed; GOAWAY stops new streams;
// - no flow control: spdystream neither sends WINDOW_UPDATE nor honours it, so windows would only stall a stream
//   after 64 KiB. Back-pressure is per connection instead: the socket is not read while a stream's reader is full,
//   and a stream's writes complete only when the socket has taken them.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  DATA_CHUNK, FLAG_FIN, FrameReader, FrameType, GoAwayStatus, RstStatus, SPDY_VERSION, SpdyProtocolError,
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, encodeSynStream, headerBlockOf, type Headers, type RawFrame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './headers.js';

export type Role = 'client' | 'server';

/** Largest frame accepted from a peer: 16 MiB is SPDY's own limit; control frames are held far lower. */
const MAX_CONTROL_PAYLOAD = 1024 * 1024;

/** One stream: a Duplex whose readable side is what the peer sends and whose writable side goes to the peer. */
export class SpdyStream extends Duplex {
  /** The headers the stream was opened with (ours for a stream we opened, the peer's for one it opened). */
  readonly headers: Headers;
  replied = false;
  /** Set when the peer reset the stream (its RST_STREAM status). */
  resetStatus?: number;
  private localFin = false;
  private remoteFin = false;
  /** Writes (and our FIN) made before the stream was accepted: spdystream would drop them. */
  private readonly held: Array<() => void> = [];
  private readonly replyWaiters: Array<() => void> = [];
  private readonly readWaiters: Array<() => void> = [];

  constructor(private readonly conn: SpdyConnection, readonly id: number, headers: Headers, readonly initiatedLocally: boolean) {
    super({ allowHalfOpen: true });
    this.headers = headers;
  }

  /** The first value of a header (names are lower case on the wire). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Accepts a stream the peer opened (SYN_REPLY). Writes wait for this. */
  reply(headers: Headers = {}, fin = false): void {
    if (this.initiatedLocally || this.replied || this.destroyed) return;
    this.conn.sendReply(this.id, headers, fin);
    if (fin) this.localFin = true;
    this.markReplied();
  }

  /** Resolves once the peer accepted our stream; rejects if it reset it or the connection ended first. */
  whenReplied(): Promise<void> {
    if (this.replied) return Promise.resolve();
    if (this.destroyed || this.resetStatus !== undefined) return Promise.reject(this.notAccepted());
    return new Promise((resolve, reject) => {
      const onClose = () => reject(this.notAccepted());
      this.once('close', onClose);
      this.replyWaiters.push(() => {
        this.off('close', onClose);
        resolve();
      });
    });
  }

  private notAccepted(): Error {
    return new Error(this.resetStatus ? `stream reset by the peer (status ${this.resetStatus})` : 'stream closed before it was accepted');
  }

  /** @internal the peer's SYN_REPLY to our stream, or our own reply to theirs */
  markReplied(): void {
    if (this.replied) return;
    this.replied = true;
    this.emit('reply');
    for (const fn of this.held.splice(0)) fn();
    for (const fn of this.replyWaiters.splice(0)) fn();
  }

  /** @internal data from the peer; false when the reader is full */
  receive(data: Buffer): boolean {
    if (this.remoteFin || this.destroyed) return true;
    return this.push(data);
  }

  /** @internal the peer's FIN */
  receiveFin(): void {
    if (this.remoteFin || this.destroyed) return;
    this.remoteFin = true;
    this.push(null);
    this.settle();
  }

  /**
   * @internal the peer's RST_STREAM (with its status), or the end of the connection (without): nothing more goes
   * out and no RST of ours is due, but what arrived before is still read, and the reader then sees its end, as a
   * spdystream reader does.
   */
  abort(status?: number): void {
    if (this.destroyed) return;
    if (status !== undefined) {
      this.resetStatus = status;
      this.emit('reset', status);
    }
    this.localFin = true;
    for (const fn of this.held.splice(0)) fn(); // held writes fail now
    this.conn.forget(this);
    const unread = !this.remoteFin && this.readableLength > 0;
    if (!this.remoteFin) {
      this.remoteFin = true;
      this.push(null);
    }
    if (unread) this.once('end', () => this.destroy());
    else this.destroy();
  }

  /** @internal resolves when the reader wants more (or the stream is gone) */
  wantsMore(): Promise<void> {
    if (this.destroyed || this.conn.socketClosed || this.readableLength < this.readableHighWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.readWaiters.push(resolve));
  }

  /** @internal */
  wakeReaders(): void {
    for (const fn of this.readWaiters.splice(0)) fn();
  }

  override _read(): void {
    this.wakeReaders();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const send = () => {
      if (this.destroyed || this.localFin) return cb(new Error('write after the stream was closed'));
      this.conn.sendData(this.id, chunk, false, cb);
    };
    if (this.replied || this.localFin) send();
    else this.held.push(send);
  }

  override _final(cb: (e?: Error | null) => void): void {
    const fin = () => {
      if (this.localFin || this.destroyed) return cb();
      this.localFin = true;
      this.conn.sendData(this.id, Buffer.alloc(0), true, cb);
      this.settle();
    };
    if (this.replied || this.localFin) fin();
    else this.held.push(fin);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    // a stream abandoned half-way is reset, so the peer lets go of it too
    if (!(this.localFin && this.remoteFin)) this.conn.sendReset(this.id, RstStatus.CANCEL);
    this.localFin = this.remoteFin = true;
    for (const fn of this.held.splice(0)) fn();
    this.conn.forget(this);
    this.wakeReaders();
    cb(err);
  }

  /** Both halves closed: the stream is done and leaves the connection. */
  private settle(): void {
    if (this.localFin && this.remoteFin) this.conn.forget(this);
  }
}

export interface SpdyConnectionEvents {
  stream: [SpdyStream];
  goaway: [];
  close: [Error | undefined];
}

/**
 * A SPDY connection. Frames are handled strictly in order (header blocks are decompressed asynchronously, and a
 * stream's data must not overtake its reply); the socket is not read while a frame is being handled.
 */
export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly reader = new FrameReader();
  private nextStreamId: number;
  private lastPeerStreamId = 0;
  private nextPingId: number;
  private readonly pings = new Map<number, () => void>();
  private goneAway = false;
  private closedWith?: Error;
  private socketError?: Error;
  /** @internal */
  socketClosed = false;
  closed = false;

  constructor(private readonly socket: Duplex, readonly role: Role) {
    super();
    this.nextStreamId = role === 'client' ? 1 : 2;
    this.nextPingId = role === 'client' ? 1 : 2;
    // The read loop ends the connection when the socket ends or fails, once it has handled every frame that arrived
    // before: the last ones (an exit Status, then resets) often come in the same read as the end.
    socket.on('error', (e) => (this.socketError ??= e));
    socket.once('close', () => {
      this.socketClosed = true;
      // nothing more will be read: frames already read go to their streams without waiting for readers
      for (const s of this.streams.values()) s.wakeReaders();
    });
    void this.readLoop();
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Opens a stream; its writes are held until the peer replies (see SpdyStream.whenReplied). */
  createStream(headers: Headers, fin = false): SpdyStream {
    if (this.closed || this.goneAway) throw new Error('the SPDY connection is closed');
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const s = new SpdyStream(this, id, headers, true);
    this.streams.set(id, s);
    this.write(encodeSynStream(id, fin ? FLAG_FIN : 0, this.compressor.compress(headers)));
    if (fin) s.end();
    return s;
  }

  /** Sends a PING and resolves when the peer echoes it. */
  ping(): Promise<void> {
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 2) % 0x7fffffff || (this.role === 'client' ? 1 : 2);
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the SPDY connection is closed'));
      const onClose = () => reject(new Error('the SPDY connection closed'));
      this.once('close', onClose);
      this.pings.set(id, () => {
        this.off('close', onClose);
        resolve();
      });
      this.write(encodePing(id));
    });
  }

  /** Says GOAWAY and ends the connection once the peer has it (open streams end with it). */
  close(): void {
    if (this.closed) return;
    this.sendGoAway(GoAwayStatus.OK);
    this.socket.end();
  }

  /** Ends the connection now. */
  destroy(): void {
    this.socket.destroy();
    this.teardown();
  }

  /** @internal */
  sendReply(id: number, headers: Headers, fin: boolean): void {
    this.write(encodeSynReply(id, fin ? FLAG_FIN : 0, this.compressor.compress(headers)));
  }

  /** @internal data in frames of DATA_CHUNK; cb once the socket has taken them (back-pressure) */
  sendData(id: number, data: Buffer, fin: boolean, cb: (e?: Error | null) => void): void {
    if (this.closed) return cb(new Error('the SPDY connection is closed'));
    let ok = true;
    if (!data.length) ok = this.write(encodeData(id, data, fin));
    for (let off = 0; off < data.length; off += DATA_CHUNK) {
      const last = off + DATA_CHUNK >= data.length;
      ok = this.write(encodeData(id, data.subarray(off, off + DATA_CHUNK), fin && last));
    }
    if (ok) return cb();
    // one 'drain' listener for every stream waiting, not one each (hundreds of port-forward streams may wait)
    this.drainWaiters.push(cb);
    if (this.drainWaiters.length === 1) this.socket.once('drain', this.onDrain);
  }

  private readonly drainWaiters: Array<(e?: Error | null) => void> = [];
  private readonly onDrain = (): void => {
    for (const cb of this.drainWaiters.splice(0)) cb();
  };

  /** @internal */
  sendReset(id: number, status: number): void {
    if (!this.closed) this.write(encodeRstStream(id, status));
  }

  /** @internal a stream that is done (both halves closed, reset, or destroyed) */
  forget(s: SpdyStream): void {
    if (this.streams.get(s.id) === s) this.streams.delete(s.id);
  }

  private write(frame: Buffer): boolean {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) return true;
    return this.socket.write(frame);
  }

  private sendGoAway(status: number): void {
    if (this.goneAway) return;
    this.goneAway = true;
    this.write(encodeGoAway(this.lastPeerStreamId, status));
  }

  private async readLoop(): Promise<void> {
    try {
      // a protocol error leaves the loop by throwing: the socket must stay open for our GOAWAY
      for await (const chunk of this.socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        for (const f of this.reader.push(chunk)) await this.handle(f);
        if (this.closed) break;
      }
      this.teardown(this.socketError);
    } catch (e) {
      if (e instanceof SpdyProtocolError) {
        // the peer hears why, then the connection ends
        this.sendGoAway(GoAwayStatus.PROTOCOL_ERROR);
        this.socket.end();
        this.teardown(e);
      } else this.teardown(this.socketError ?? (e as Error));
    }
  }

  private async handle(f: RawFrame): Promise<void> {
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return; // a stream already reset or finished: its late frames are dropped, as spdystream does
      if (f.payload.length && !s.receive(f.payload)) await s.wantsMore();
      if (f.flags & FLAG_FIN) s.receiveFin();
      return;
    }
    if (f.version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${f.version}`);
    if (f.type !== FrameType.SYN_STREAM && f.type !== FrameType.SYN_REPLY && f.type !== FrameType.HEADERS) return this.handleControl(f);
    if (f.payload.length > MAX_CONTROL_PAYLOAD) throw new SpdyProtocolError(`control frame of ${f.payload.length} bytes`);
    const { streamId, block } = headerBlockOf(f);
    // every block must pass through the decompressor, wanted or not: the next one depends on it
    const headers = await this.decompressor.decompress(block);
    if (streamId === 0) throw new SpdyProtocolError('stream id 0');
    const fin = (f.flags & FLAG_FIN) !== 0;
    if (f.type === FrameType.SYN_STREAM) return this.acceptStream(streamId, headers, fin);
    const s = this.streams.get(streamId);
    if (!s) return;
    if (f.type === FrameType.SYN_REPLY) s.markReplied();
    if (fin) s.receiveFin();
  }

  private acceptStream(id: number, headers: Headers, fin: boolean): void {
    const peerParity = this.role === 'client' ? 0 : 1;
    if (id % 2 !== peerParity || id <= this.lastPeerStreamId) {
      this.sendReset(id, RstStatus.PROTOCOL_ERROR);
      return;
    }
    this.lastPeerStreamId = id;
    if (this.goneAway || this.listenerCount('stream') === 0) {
      this.sendReset(id, RstStatus.REFUSED_STREAM);
      return;
    }
    const s = new SpdyStream(this, id, headers, false);
    this.streams.set(id, s);
    if (fin) s.receiveFin();
    this.emit('stream', s);
  }

  private handleControl(f: RawFrame): void {
    const p = f.payload;
    switch (f.type) {
      case FrameType.RST_STREAM: {
        if (p.length < 8) throw new SpdyProtocolError('short RST_STREAM');
        this.streams.get(p.readUInt32BE(0) & 0x7fffffff)?.abort(p.readUInt32BE(4));
        return;
      }
      case FrameType.PING: {
        if (p.length < 4) throw new SpdyProtocolError('short PING');
        const id = p.readUInt32BE(0);
        // the peer's pings have the other parity: echo them; ours come back
        if (id % 2 !== this.nextPingId % 2) this.write(encodePing(id));
        else {
          this.pings.get(id)?.();
          this.pings.delete(id);
        }
        return;
      }
      case FrameType.GOAWAY:
        this.goneAway = true;
        this.emit('goaway');
        return;
      default:
        // SETTINGS and WINDOW_UPDATE carry nothing we act on; unknown control frames are ignored, as SPDY says
        return;
    }
  }

  private teardown(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closedWith = err;
    // streams end as if reset, but what they received is still read
    for (const s of [...this.streams.values()]) s.abort();
    this.streams.clear();
    this.decompressor.close();
    // writes waiting for a drain that will never come complete now (their stream is gone anyway)
    this.socket.off('drain', this.onDrain);
    this.onDrain();
    if (!this.socket.destroyed) {
      // give a GOAWAY or last frames a moment to go out, then let go of the socket for good
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    this.emit('close', this.closedWith);
  }
}
