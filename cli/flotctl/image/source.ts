// What `flotctl image push` is given: a `docker save` archive (docker-archive, gzipped or not), an OCI layout
// directory, or a tar of one (oci-archive, as `podman save --format oci-archive` writes it). Read here only far
// enough to know which images it holds and the names they carry; skopeo does the copying.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { extract } from '../tar.js';

/** One image of a source: how skopeo names it as a source, and the names (references) the source gives it. */
export interface SourceImage {
  /** `docker-archive:FILE`, `docker-archive:FILE:@1`, `oci:DIR:REF`, ...; '' for an image skopeo cannot pick out. */
  transport: string;
  names: string[];
  /** How to tell it apart when several are there (`myapp:1.0`, `v1`, `#2`). */
  label: string;
}

export interface Source {
  kind: 'docker-archive' | 'oci' | 'oci-archive';
  images: SourceImage[];
}

/** The source cannot be read as an image; the message says why, for the user. */
export class SourceError extends Error {}

const REF_NAME = 'org.opencontainers.image.ref.name';
/** The full reference containerd and docker 25+ write beside the OCI ref name (which is often only a tag). */
const CONTAINERD_NAME = 'io.containerd.image.name';

interface IndexEntry { digest?: string; annotations?: Record<string, string> }
interface ArchiveEntry { RepoTags?: string[] | null }

const readAll = async (s: Readable): Promise<string> => {
  let out = '';
  for await (const c of s) out += (c as Buffer).toString('utf8');
  return out;
};

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new SourceError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The images of an OCI index (index.json), each selected by its ref name when it has one, else by position. */
function ociImages(kind: 'oci' | 'oci-archive', path: string, index: { manifests?: IndexEntry[] }, where: string): SourceImage[] {
  const manifests = Array.isArray(index.manifests) ? index.manifests : [];
  if (!manifests.length) throw new SourceError(`${where} holds no image (its index.json lists no manifest)`);
  return manifests.map((m, i) => {
    const ref = m.annotations?.[REF_NAME];
    const full = m.annotations?.[CONTAINERD_NAME];
    // one image needs no selector; several are told apart by their ref names (skopeo's oci transport has no other
    // way to pick one out, so an unnamed one among several cannot be copied)
    const transport = manifests.length === 1 ? `${kind}:${path}` : ref ? `${kind}:${path}:${ref}` : '';
    return { transport, names: full ? [full] : [], label: ref ?? full ?? `#${i}` };
  });
}

async function readArchive(path: string): Promise<Source> {
  const files = new Map<string, string>();
  const wanted = new Set(['manifest.json', 'index.json', 'oci-layout']);
  const head = Buffer.alloc(2);
  const fd = createReadStream(path, { start: 0, end: 1 });
  for await (const c of fd) (c as Buffer).copy(head);
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  try {
    const reader = extract(async (e, content) => {
      const name = e.name.replace(/^\.\//, '');
      if (e.type === 'file' && wanted.has(name)) files.set(name, await readAll(content));
    });
    if (gzipped) await pipeline(createReadStream(path), createGunzip(), reader);
    else await pipeline(createReadStream(path), reader);
  } catch (e) {
    throw new SourceError(`${path} is not a docker save archive or an OCI layout: ${(e as Error).message}`);
  }
  const manifest = files.get('manifest.json');
  if (manifest !== undefined) {
    // docker save's own list: one entry per image, with the names it was saved under
    const entries = parseJson<ArchiveEntry[]>(manifest, `${path}: manifest.json`);
    if (!Array.isArray(entries) || !entries.length) throw new SourceError(`${path} holds no image (its manifest.json lists none)`);
    return {
      kind: 'docker-archive',
      images: entries.map((en, i) => {
        const names = (en.RepoTags ?? []).filter((t): t is string => typeof t === 'string');
        return { transport: entries.length === 1 ? `docker-archive:${path}` : `docker-archive:${path}:@${i}`, names, label: names[0] ?? `#${i}` };
      }),
    };
  }
  const index = files.get('index.json');
  if (index !== undefined && files.has('oci-layout')) return { kind: 'oci-archive', images: ociImages('oci-archive', path, parseJson(index, `${path}: index.json`), path) };
  throw new SourceError(`${path} is not a docker save archive or an OCI layout: it has no manifest.json (docker save) and no oci-layout with an index.json (OCI)`);
}

function readLayout(dir: string, ref: string | undefined): Source {
  if (!existsSync(join(dir, 'oci-layout')) || !existsSync(join(dir, 'index.json'))) {
    throw new SourceError(`${dir} is not an OCI image layout: it has no oci-layout and index.json (give a docker save archive or an OCI layout directory)`);
  }
  let images = ociImages('oci', dir, parseJson(readFileSync(join(dir, 'index.json'), 'utf8'), `${dir}/index.json`), dir);
  if (ref !== undefined) {
    const one = images.find((i) => i.label === ref);
    if (!one) throw new SourceError(`${dir} has no image named "${ref}" (it has ${images.map((i) => i.label).join(', ')})`);
    images = [{ ...one, transport: `oci:${dir}:${ref}` }];
  }
  return { kind: 'oci', images };
}

/**
 * Reads a source as given on the command line: a file (an archive), a directory (an OCI layout), or DIR:REF (one
 * image of a layout by its ref name, as skopeo takes it).
 */
export async function readSource(arg: string): Promise<Source> {
  if (existsSync(arg)) {
    const st = statSync(arg);
    if (st.isDirectory()) return readLayout(arg, undefined);
    if (!st.isFile()) throw new SourceError(`${arg} is not a file or a directory`);
    return readArchive(arg);
  }
  const colon = arg.lastIndexOf(':');
  if (colon > 0 && existsSync(arg.slice(0, colon)) && statSync(arg.slice(0, colon)).isDirectory()) return readLayout(arg.slice(0, colon), arg.slice(colon + 1));
  throw new SourceError(`${arg}: no such file or directory`);
}
