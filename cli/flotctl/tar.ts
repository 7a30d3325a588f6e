// The tar format `flotctl cp` speaks with the `tar` inside a pod (busybox's, GNU's): ustar headers, GNU long names
// (`././@LongLink`, type L) for paths past 100 bytes when writing, and GNU long names or pax `path` records when
// reading. Regular files, directories and symlinks; anything else is passed over. Streaming both ways, so a large
// file is never held whole in memory.
import { createReadStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';

const BLOCK = 512;

export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  mode: number;
  size: number;
  mtime: number;
  linkname: string;
}

function octal(buf: Buffer, value: number, offset: number, length: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  return sum;
}

function header(name: string, typeflag: string, size: number, mode: number, mtime: number, linkname = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, mode & 0o7777, 100, 8);
  octal(h, 0, 108, 8);
  octal(h, 0, 116, 8);
  octal(h, size, 124, 12);
  octal(h, Math.floor(mtime), 136, 12);
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar  \0', 257, 8, 'ascii'); // the GNU magic, which goes with GNU long names
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** The header(s) for one entry: a GNU long-name entry first when the name (or link target) does not fit. */
function headers(name: string, typeflag: string, size: number, mode: number, mtime: number, linkname = ''): Buffer[] {
  const out: Buffer[] = [];
  for (const [long, flag] of [[linkname, 'K'], [name, 'L']] as const) {
    const bytes = Buffer.from(`${long}\0`);
    if (bytes.length <= 100) continue;
    out.push(header('././@LongLink', flag, bytes.length, 0o644, 0), bytes, padding(bytes.length));
  }
  out.push(header(name, typeflag, size, mode, mtime, linkname));
  return out;
}

/**
 * A tar stream of the local path `src`, its entries named under `name` (a directory's contents below it), as
 * kubectl cp names them. Read errors end the stream with the error.
 */
export function packPath(src: string, name: string): Readable {
  const out = new PassThrough();
  const walk = async (path: string, entry: string): Promise<void> => {
    const st = lstatSync(path);
    const mtime = st.mtimeMs / 1000;
    if (st.isSymbolicLink()) {
      for (const b of headers(entry, '2', 0, st.mode, mtime, readlinkSync(path))) out.write(b);
    } else if (st.isDirectory()) {
      for (const b of headers(`${entry}/`, '5', 0, st.mode, mtime)) out.write(b);
      for (const child of readdirSync(path).sort()) await walk(join(path, child), `${entry}/${child}`);
    } else if (st.isFile()) {
      for (const b of headers(entry, '0', st.size, st.mode, mtime)) out.write(b);
      let written = 0;
      for await (const chunk of createReadStream(path)) {
        const c = chunk as Buffer;
        // a file that grows while it is read is cut at the size in its header, as tar does
        const part = c.subarray(0, Math.max(0, st.size - written));
        written += part.length;
        if (part.length && !out.write(part)) await new Promise((r) => out.once('drain', r));
      }
      if (written < st.size) throw new Error(`${path}: file shrank while being read`);
      out.write(padding(st.size));
    }
  };
  walk(src, name).then(
    () => out.end(Buffer.alloc(BLOCK * 2)),
    (e: Error) => out.destroy(e),
  );
  return out;
}

function text(buf: Buffer, offset: number, length: number): string {
  const s = buf.subarray(offset, offset + length);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? s.length : nul).toString('utf8');
}

function number(buf: Buffer, offset: number, length: number): number {
  const t = text(buf, offset, length).trim();
  return t ? parseInt(t, 8) : 0;
}

/** The `path` record of a pax extended header, if any. */
function paxPath(data: Buffer): string | undefined {
  let rest = data.toString('utf8');
  let path: string | undefined;
  while (rest.length) {
    const m = /^(\d+) ([^=]+)=/.exec(rest);
    if (!m) break;
    const len = Number(m[1]);
    const record = rest.slice(0, len);
    if (m[2] === 'path') path = record.slice(m[0].length, -1);
    rest = rest.slice(len);
  }
  return path;
}

const TYPES: Record<string, TarEntry['type']> = { '0': 'file', '\0': 'file', '7': 'file', '5': 'directory', '2': 'symlink' };

/**
 * A writable that reads a tar stream and calls onEntry for each entry; a file's content is handed as a Readable to
 * read to its end (or not: the rest is skipped). Corrupt input fails the stream with an error.
 */
export function extract(onEntry: (e: TarEntry, content: Readable) => Promise<void>): Writable {
  let buf: Buffer = Buffer.alloc(0);
  let current: { entry: TarEntry; content: PassThrough; left: number; pad: number; done: Promise<void> } | undefined;
  let meta: { flag: string; left: number; pad: number; data: Buffer[] } | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let ended = false;

  const step = async (): Promise<void> => {
    for (;;) {
      if (current) {
        if (current.left > 0) {
          if (!buf.length) return;
          const part = buf.subarray(0, current.left);
          buf = buf.subarray(part.length);
          current.left -= part.length;
          if (!current.content.write(part)) await new Promise((r) => current?.content.once('drain', r));
          continue;
        }
        if (buf.length < current.pad) return;
        buf = buf.subarray(current.pad);
        current.content.end();
        await current.done;
        current = undefined;
        continue;
      }
      if (meta) {
        const need = meta.left + meta.pad;
        if (buf.length < need) return;
        const data = buf.subarray(0, meta.left);
        buf = buf.subarray(need);
        if (meta.flag === 'L') longName = text(data, 0, data.length);
        else if (meta.flag === 'K') longLink = text(data, 0, data.length);
        else if (meta.flag === 'x') longName = paxPath(data) ?? longName;
        meta = undefined;
        continue;
      }
      if (ended || buf.length < BLOCK) return;
      const h = buf.subarray(0, BLOCK);
      buf = buf.subarray(BLOCK);
      if (h.every((b) => b === 0)) {
        ended = true; // the end-of-archive blocks; anything after them is ignored
        return;
      }
      if (checksum(h) !== number(h, 148, 8)) throw new Error('archive/tar: invalid tar header');
      const flag = text(h, 156, 1) || '\0';
      const size = number(h, 124, 12);
      if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
        if (size > 1024 * 1024) throw new Error('archive/tar: extended header too large');
        meta = { flag, left: size, pad: (BLOCK - (size % BLOCK)) % BLOCK, data: [] };
        continue;
      }
      const prefix = text(h, 345, 155);
      const magic = text(h, 257, 6);
      const name = longName ?? (magic === 'ustar' && prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
      const entry: TarEntry = { name, type: TYPES[flag] ?? 'other', mode: number(h, 100, 8), size, mtime: number(h, 136, 12), linkname: longLink ?? text(h, 157, 100) };
      longName = longLink = undefined;
      const content = new PassThrough();
      // whatever the handler did not read is skipped (and a handler that failed reads no more)
      const done = onEntry(entry, content).finally(() => content.resume());
      const dataSize = entry.type === 'directory' || entry.type === 'symlink' ? 0 : size;
      current = { entry, content, left: dataSize, pad: (BLOCK - (dataSize % BLOCK)) % BLOCK, done };
    }
  };

  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      step().then(() => cb(), cb);
    },
    final(cb) {
      step().then(() => {
        if (current || meta || (!ended && buf.length)) cb(new Error('archive/tar: unexpected EOF'));
        else cb();
      }, cb);
    },
  });
}
