// `flotctl image push FILE.tar|OCI-DIR [NAME[:TAG]]`: copies the images of a docker save archive or an OCI layout
// into the cluster's registry with skopeo (Debian's; no registry protocol of our own), and prints each pushed
// reference with its digest, `REGISTRY/NAME:TAG@sha256:...`, which a pod can name to run exactly that image.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familiarPath, ImageReferenceError, parseImageReference } from '../../../lib/api/image-reference.js';
import { CliError } from '../context.js';
import { isLoopback, type Registry } from './registry.js';
import type { Source, SourceImage } from './source.js';

export interface PushTarget {
  /** skopeo's source (`docker-archive:FILE`, `oci:DIR:REF`). */
  source: string;
  /** The repository path and tag in the registry (`myapp:1.0`). */
  dest: string;
  /** The source image, for messages. */
  label: string;
}

function parseName(name: string, what: string): ReturnType<typeof parseImageReference> {
  try {
    return parseImageReference(name);
  } catch (e) {
    if (e instanceof ImageReferenceError) throw new CliError(`error: ${what} "${name}" is not a valid image name: ${e.message}`);
    throw e;
  }
}

/**
 * The registry path:tag an image goes to. A Docker Hub name keeps the path a user types (`myapp`, not
 * `library/myapp`); another registry's name keeps its path (its host is not ours to push to).
 */
function destOf(name: string, registry: Registry, typed: boolean): string {
  const r = parseName(name, typed ? 'NAME' : 'the image name');
  if (r.digest) throw new CliError(`error: "${name}" names a digest: push to a tag (NAME:TAG); the digest of what was pushed is printed`);
  if (typed && r.explicitDomain && r.domain !== registry.host) {
    throw new CliError(`error: "${name}" names the registry ${r.domain}, but the cluster's registry is ${registry.host}: give the name without a registry (or ${registry.host}/...)`);
  }
  return `${familiarPath(r)}:${r.tag ?? 'latest'}`;
}

const unselectable = (img: SourceImage, path: string, n: number) =>
  new CliError(`error: the image ${img.label} in ${path} has no ref name, so it cannot be picked out of the ${n} images the layout holds`);

/** What to copy where: the one image under NAME, or, without NAME, every image under each name it carries. */
export function pushTargets(src: Source, name: string | undefined, registry: Registry, path: string): PushTarget[] {
  for (const img of src.images) if (!img.transport) throw unselectable(img, path, src.images.length);
  if (name !== undefined) {
    if (src.images.length > 1) {
      throw new CliError(`error: ${path} holds ${src.images.length} images (${src.images.map((i) => i.label).join(', ')}): ` +
        (src.kind === 'oci' ? 'pick one as DIR:REF, or push without NAME to push each under its own name' : 'push without NAME to push each under its own name'));
    }
    const one = src.images[0];
    if (!one) return [];
    return [{ source: one.transport, dest: destOf(name, registry, true), label: one.label }];
  }
  const out: PushTarget[] = [];
  for (const img of src.images) {
    if (!img.names.length) {
      throw new CliError(`error: the image ${img.label} in ${path} carries no name (${src.kind === 'docker-archive' ? 'docker save of an image ID' : 'an OCI ref name is only a tag'}): give NAME:TAG`);
    }
    for (const n of img.names) {
      const dest = destOf(n, registry, false);
      if (!out.some((t) => t.dest === dest)) out.push({ source: img.transport, dest, label: img.label });
    }
  }
  return out;
}

/** skopeo's own error line (`level=fatal msg="..."`) as plain text. */
export function skopeoMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const last = lines.at(-1) ?? '';
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(last);
  return m ? (m[1] as string).replace(/\\(.)/g, '$1') : last || 'skopeo failed';
}

export const SKOPEO_MISSING = 'error: skopeo is not installed (flotctl image push copies images with it): apt-get install skopeo';

/** Runs skopeo; its progress goes to stderr (stdout is for the pushed references) when that is a terminal. */
function skopeo(args: string[], progress: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('skopeo', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (progress) p.stdout.pipe(process.stderr, { end: false });
    else p.stdout.resume();
    let err = '';
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d: string) => {
      err += d;
      if (progress) process.stderr.write(d);
    });
    p.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new CliError(SKOPEO_MISSING) : e));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new SkopeoError(skopeoMessage(err)))));
  });
}

class SkopeoError extends Error {}

/** Copies one image into the registry; resolves to the manifest digest the registry stored it under. */
export async function pushOne(t: PushTarget, registry: Registry, progress: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'flotctl-push-'));
  try {
    const digestFile = join(dir, 'digest');
    const tls = isLoopback(registry.host) ? ['--dest-tls-verify=false'] : [];
    try {
      await skopeo(['copy', ...(progress ? [] : ['--quiet']), ...tls, '--digestfile', digestFile, t.source, `docker://${registry.host}/${t.dest}`], progress);
    } catch (e) {
      if (e instanceof SkopeoError) throw new CliError(`error: pushing ${t.label} to ${registry.host}/${t.dest}: ${e.message}`);
      throw e;
    }
    return readFileSync(digestFile, 'utf8').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
