// SPDY/3.1 framing, as Kubernetes streams use it (kubectl and containerd speak it through Go's spdystream): the frame
// layout, encoders for every frame we send, an incremental reader that cuts a byte stream into frames, and the
// name/value header block inside SYN_STREAM, SYN_REPLY and HEADERS. Header blocks are zlib-compressed with one
// context per direction of a connection; that lives in headers.ts.
//
//   control frame: 1 | version(15) | type(16) | flags(8) | length(24) | payload
//   data frame:    0 | stream-id(31)          | flags(8) | length(24) | payload

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
} as const;

/** GOAWAY status codes. */
export const GoAwayStatus = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

/** A frame's length field is 24 bits. */
export const MAX_FRAME_PAYLOAD = 0xffffff;
/** What we put in one DATA frame: big enough to keep framing overhead negligible, small enough to interleave streams. */
export const DATA_CHUNK = 32 * 1024;

export type Headers = Record<string, string[]>;

/** One frame as read off the wire, payload not yet interpreted. */
export interface RawFrame {
  control: boolean;
  /** control frames: the SPDY version; data frames: 0 */
  version: number;
  /** control frames: FrameType; data frames: 0 */
  type: number;
  flags: number;
  /** data frames: their stream */
  streamId: number;
  payload: Buffer;
}

export class SpdyProtocolError extends Error {}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`control frame of ${payload.length} bytes is too large`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function encodeData(streamId: number, data: Buffer, fin: boolean): Buffer {
  if (data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`data frame of ${data.length} bytes is too large`);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return data.length ? Buffer.concat([head, data]) : head;
}

/** SYN_STREAM with an already compressed header block. */
export function encodeSynStream(streamId: number, flags: number, compressedHeaders: Buffer, priority = 0): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE(0, 4); // associated-to-stream-id: none (no server push here)
  fixed.writeUInt8((priority & 0x7) << 5, 8);
  fixed.writeUInt8(0, 9); // credential slot
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([fixed, compressedHeaders]));
}

export function encodeSynReply(streamId: number, flags: number, compressedHeaders: Buffer): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff, 0);
  return controlFrame(FrameType.SYN_REPLY, flags, Buffer.concat([id, compressedHeaders]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RST_STREAM, 0, p);
}

export function encodePing(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return controlFrame(FrameType.PING, 0, p);
}

export function encodeGoAway(lastGoodStreamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GOAWAY, 0, p);
}

/** The uncompressed name/value block: count, then length-prefixed names and values (several values NUL-joined). */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  const names = Object.keys(headers);
  count.writeUInt32BE(names.length);
  parts.push(count);
  for (const name of names) {
    // peers refuse names that are not lower case (spdystream reports UnlowercasedHeaderName)
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from((headers[name] ?? []).join('\0'), 'utf8');
    const nl = Buffer.alloc(4);
    nl.writeUInt32BE(n.length);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(v.length);
    parts.push(nl, n, vl, v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Headers {
  const out: Headers = {};
  let off = 0;
  const u32 = () => {
    if (off + 4 > block.length) throw new SpdyProtocolError('truncated header block');
    const v = block.readUInt32BE(off);
    off += 4;
    return v;
  };
  const bytes = (n: number) => {
    if (off + n > block.length) throw new SpdyProtocolError('truncated header block');
    const b = block.subarray(off, off + n);
    off += n;
    return b.toString('utf8');
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32()).toLowerCase();
    const value = bytes(u32());
    if (!name) throw new SpdyProtocolError('empty header name');
    if (out[name]) throw new SpdyProtocolError(`header ${JSON.stringify(name)} given twice`);
    out[name] = value.split('\0');
  }
  return out;
}

/** The header block of a SYN_STREAM, SYN_REPLY or HEADERS frame (still compressed), and the stream it belongs to. */
export function headerBlockOf(f: RawFrame): { streamId: number; block: Buffer } {
  const fixed = f.type === FrameType.SYN_STREAM ? 10 : 4;
  if (f.payload.length < fixed) throw new SpdyProtocolError(`frame type ${f.type} is too short`);
  return { streamId: f.payload.readUInt32BE(0) & 0x7fffffff, block: f.payload.subarray(fixed) };
}

/**
 * Cuts a byte stream into frames. Bytes arrive in any pieces (a TCP read, a WebSocket message); a frame is handed
 * out once whole. Frames larger than `maxPayload` are refused before they are buffered.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  push(chunk: Buffer): RawFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: RawFrame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (len > this.maxPayload) throw new SpdyProtocolError(`frame of ${len} bytes exceeds the limit of ${this.maxPayload}`);
      if (this.buf.length < 8 + len) break;
      const first = this.buf.readUInt32BE(0);
      const control = (first & 0x80000000) !== 0;
      frames.push({
        control,
        version: control ? (first >>> 16) & 0x7fff : 0,
        type: control ? first & 0xffff : 0,
        flags: this.buf[4] as number,
        streamId: control ? 0 : first & 0x7fffffff,
        // a copy: the frame may outlive this buffer (queued data), and must not pin a large read buffer
        payload: Buffer.from(this.buf.subarray(8, 8 + len)),
      });
      this.buf = this.buf.subarray(8 + len);
    }
    return frames;
  }

  /** Bytes of a frame not yet complete. */
  get pending(): number {
    return this.buf.length;
  }
}
