// SPDY framing and header compression against the protocol's own rules and against a real zlib compressor (the
// peers, Go's spdystream in kubectl and containerd, compress with zlib at best compression).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY, adler32 } from './dictionary.js';
import {
  FLAG_FIN, FrameReader, FrameType, SpdyProtocolError, decodeHeaderBlock, encodeData, encodeGoAway, encodeHeaderBlock, encodePing,
  encodeRstStream, encodeSynReply, encodeSynStream, headerBlockOf,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './headers.js';

test('the SPDY/3 dictionary: 1423 bytes of length-prefixed words and the tail string', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.deepEqual([...SPDY3_DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')]);
  assert.equal(SPDY3_DICTIONARY.subarray(-7).toString('latin1'), ',enq=0.');
  // the checksum by which a zlib stream names it (kubectl and containerd accept our header blocks: e2e/streaming)
  assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
  assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
});

test('header blocks: counts, lower-cased names, NUL-joined values; truncation and duplicates are protocol errors', () => {
  const block = encodeHeaderBlock({ streamType: ['error'], port: ['8080'], multi: ['a', 'b'] });
  assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['error'], port: ['8080'], multi: ['a', 'b'] });
  assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({})), {});
  assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), SpdyProtocolError);
  assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9])), SpdyProtocolError);
  const twice = Buffer.concat([Buffer.from([0, 0, 0, 2]), encodeHeaderBlock({ a: ['1'] }).subarray(4), encodeHeaderBlock({ A: ['2'] }).subarray(4)]);
  assert.throws(() => decodeHeaderBlock(twice), /given twice/);
});

test('our header blocks are a zlib stream with the dictionary that any inflater reads, frame after frame', () => {
  const c = new HeaderCompressor();
  const blocks = [c.compress({ streamtype: ['error'] }), c.compress({ streamtype: ['stdout'], x: ['y'.repeat(70_000)] }), c.compress({})];
  // only the first block carries the zlib header and the dictionary's checksum
  assert.deepEqual([...(blocks[0] as Buffer).subarray(0, 2)], [0x78, 0x20]);
  assert.equal((blocks[0] as Buffer).readUInt32BE(2), adler32(SPDY3_DICTIONARY));
  assert.equal(((0x78 << 8) | 0x20) % 31, 0);
  // each block ends with the sync-flush marker, so a reader gets the whole block without reading past its frame
  for (const b of blocks) assert.deepEqual([...b.subarray(-5)], [0, 0, 0, 0xff, 0xff]);
  const all = inflateSync(Buffer.concat(blocks), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
  const first = encodeHeaderBlock({ streamtype: ['error'] });
  const second = encodeHeaderBlock({ streamtype: ['stdout'], x: ['y'.repeat(70_000)] });
  assert.deepEqual(all, Buffer.concat([first, second, encodeHeaderBlock({})]));
});

/** What a Go peer sends: one deflate stream with the dictionary, best compression, sync-flushed after each block. */
async function realCompressor(): Promise<(h: Record<string, string[]>) => Promise<Buffer>> {
  const z = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  return (h) => new Promise((resolve) => {
    const out: Buffer[] = [];
    const onData = (d: Buffer) => out.push(d);
    z.on('data', onData);
    z.write(encodeHeaderBlock(h));
    z.flush(constants.Z_SYNC_FLUSH, () => setImmediate(() => {
      z.off('data', onData);
      resolve(Buffer.concat(out));
    }));
  });
}

test('the decompressor keeps its context across blocks (a peer\'s later blocks refer back to earlier ones)', async () => {
  const compress = await realCompressor();
  const d = new HeaderDecompressor();
  try {
    const h1 = { streamtype: ['data'], port: ['8080'], requestid: ['0'] };
    const b1 = await compress(h1);
    const b2 = await compress(h1);
    // the second block is mostly back-references into the first: it cannot be read on its own
    assert.ok(b2.length < b1.length, `${b2.length} < ${b1.length}`);
    assert.throws(() => inflateSync(b2, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH }));
    assert.deepEqual(await d.decompress(b1), h1);
    assert.deepEqual(await d.decompress(b2), h1);
    const big = { x: ['z'.repeat(100_000)] };
    assert.deepEqual(await d.decompress(await compress(big)), big);
    assert.deepEqual(await d.decompress(await compress({})), {});
  } finally {
    d.close();
  }
});

test('a corrupt or oversized header block is a protocol error, not a crash', async () => {
  const d = new HeaderDecompressor();
  await assert.rejects(d.decompress(Buffer.from('not zlib at all')), SpdyProtocolError);
  // once broken, the context is gone for good
  await assert.rejects(d.decompress(new HeaderCompressor().compress({})), SpdyProtocolError);
  d.close();
  const bomb = new HeaderDecompressor();
  const compress = await realCompressor();
  await assert.rejects(bomb.decompress(await compress({ x: ['a'.repeat(300_000)] })), /exceeds/);
  bomb.close();
});

test('frames: layout of every frame we send, read back whole from any split of the byte stream', () => {
  const c = new HeaderCompressor();
  const frames = [
    encodeSynStream(1, 0, c.compress({ streamtype: ['error'] })),
    encodeSynReply(1, FLAG_FIN, c.compress({})),
    encodeData(1, Buffer.from('hello'), false),
    encodeData(3, Buffer.alloc(0), true),
    encodeRstStream(5, 5),
    encodePing(7),
    encodeGoAway(9, 0),
  ];
  const wire = Buffer.concat(frames);
  assert.deepEqual([...wire.subarray(0, 4)], [0x80, 0x03, 0x00, 0x01], 'control bit, version 3, SYN_STREAM');
  for (let split = 1; split < wire.length; split += 7) {
    const r = new FrameReader();
    const got = [...r.push(wire.subarray(0, split)), ...r.push(wire.subarray(split))];
    assert.equal(r.pending, 0);
    assert.deepEqual(got.map((f) => [f.control, f.type, f.flags, f.streamId]), [
      [true, FrameType.SYN_STREAM, 0, 0],
      [true, FrameType.SYN_REPLY, FLAG_FIN, 0],
      [false, 0, 0, 1],
      [false, 0, FLAG_FIN, 3],
      [true, FrameType.RST_STREAM, 0, 0],
      [true, FrameType.PING, 0, 0],
      [true, FrameType.GOAWAY, 0, 0],
    ]);
    assert.equal(got[2]?.payload.toString(), 'hello');
    assert.equal(headerBlockOf(got[0]!).streamId, 1);
    assert.deepEqual([...got[4]!.payload], [0, 0, 0, 5, 0, 0, 0, 5]);
  }
  assert.throws(() => new FrameReader(100).push(encodeData(1, Buffer.alloc(101), false)), /exceeds the limit/);
});
