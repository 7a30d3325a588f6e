// SPDY header compression: each direction of a connection is one zlib stream that starts with the SPDY/3
// dictionary and carries every header block of that direction, each ended with a sync flush.
//
// Sending: our header blocks are zlib *stored* blocks (compression level 0). That is valid zlib, read by every
// decompressor (Go's compress/flate in kubectl and containerd included), and it keeps sending synchronous: Node has no
// synchronous zlib that keeps its context between calls (zlib.*Sync close theirs), and the blocks Kubernetes
// streams carry are a few dozen bytes, where compression saves nothing worth an asynchronous step in every send.
//
// Receiving: the peer compresses for real, so its blocks go through one long-lived inflater with the dictionary;
// that is asynchronous, and the connection awaits each block in frame order.
import { createInflate, constants, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY, adler32 } from './dictionary.js';
import { SpdyProtocolError, decodeHeaderBlock, encodeHeaderBlock, type Headers } from './frames.js';

/** A decompressed header block bigger than this is a broken or hostile peer, not a Kubernetes stream. */
export const MAX_HEADER_BLOCK = 256 * 1024;

/** CMF 0x78 (deflate, 32 KiB window), FLG 0x20 (FDICT set; 0x7820 is a multiple of 31, so FCHECK is 0). */
const ZLIB_HEADER = Buffer.from([0x78, 0x20]);
const STORED_MAX = 0xffff;
const SYNC_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

export class HeaderCompressor {
  private started = false;

  compress(headers: Headers): Buffer {
    const block = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      // the stream's first bytes: the zlib header and the checksum naming the dictionary (DICTID)
      const dictId = Buffer.alloc(4);
      dictId.writeUInt32BE(adler32(SPDY3_DICTIONARY));
      parts.push(ZLIB_HEADER, dictId);
      this.started = true;
    }
    for (let off = 0; off === 0 || off < block.length; off += STORED_MAX) {
      const piece = block.subarray(off, off + STORED_MAX);
      // a stored block, not the last one (BFINAL 0, BTYPE 00, padded to the byte), then LEN and its complement
      const head = Buffer.alloc(5);
      head.writeUInt16LE(piece.length, 1);
      head.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(head, piece);
    }
    // and the sync-flush marker (an empty stored block), as zlib's Z_SYNC_FLUSH ends every block: Go's inflater
    // hands out a stored block's bytes only once it has read the next block's header, so without the marker it
    // would read past this frame for it and fail
    parts.push(SYNC_MARKER);
    return Buffer.concat(parts);
  }
}

export class HeaderDecompressor {
  private readonly z: Inflate;
  private failed?: Error;
  private collected: Buffer[] = [];
  private size = 0;

  constructor() {
    this.z = createInflate({ dictionary: SPDY3_DICTIONARY });
    this.z.on('error', (e: Error) => (this.failed = new SpdyProtocolError(`header block decompression failed: ${e.message}`)));
    // paused mode, drained as output appears, so a large block never stalls the inflater at its high-water mark
    this.z.on('readable', () => this.drain());
  }

  private drain(): void {
    let c: Buffer | null;
    while ((c = this.z.read() as Buffer | null) !== null) {
      this.size += c.length;
      if (this.size <= MAX_HEADER_BLOCK) this.collected.push(c);
    }
  }

  /** Decompresses the next block of this direction; blocks must be given one at a time, in frame order. */
  async decompress(block: Buffer): Promise<Headers> {
    if (this.failed) throw this.failed;
    this.collected = [];
    this.size = 0;
    await new Promise<void>((resolve, reject) => {
      const onError = () => reject(this.failed);
      this.z.once('error', onError);
      this.z.write(block);
      // everything the block decodes to has been pushed by the time the flush completes
      this.z.flush(constants.Z_SYNC_FLUSH, () => {
        this.z.off('error', onError);
        if (this.failed) reject(this.failed);
        else resolve();
      });
    });
    this.drain();
    if (this.size > MAX_HEADER_BLOCK) throw new SpdyProtocolError(`header block of ${this.size} bytes exceeds ${MAX_HEADER_BLOCK}`);
    return decodeHeaderBlock(Buffer.concat(this.collected));
  }

  close(): void {
    this.z.destroy();
  }
}
