// Writes a volume's files (configMap, secret, downwardAPI, projected) so that a reader never sees half an update, the
// way the kubelet's AtomicWriter lays them out:
//
//   DIR/..2024_05_01_10_20_30.482910375/   the files of this version (nested paths as directories)
//   DIR/..data -> ..2024_05_01_10_20_30.482910375
//   DIR/KEY -> ..data/KEY                   one symlink per top-level name
//
// An update writes a new timestamped directory, points `..data_tmp` at it and renames that over `..data` (one atomic
// rename swaps every file at once), adds or removes the top-level symlinks, then deletes the old directory. A
// subPath mount binds the file itself (resolved through the links), so it keeps the version it started with.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';

/** One file of a volume: its bytes and mode. */
export interface PayloadFile {
  data: Buffer;
  mode: number;
}

/** Relative path -> file. */
export type Payload = Map<string, PayloadFile>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';

/** Why a payload path is refused (absolute, `..`, too long), or undefined. */
export function invalidPayloadPath(p: string): string | undefined {
  if (!p) return 'invalid path: must not be empty';
  if (p.startsWith('/')) return `invalid path: must be relative path: ${p}`;
  if (p.length > 4096) return `invalid path: must be less than or equal to 4096 characters`;
  const parts = p.split('/');
  if (parts.some((s) => s === '..')) return `invalid path: must not contain '..': ${p}`;
  if (parts.some((s) => s.length > 255)) return `invalid path: elements must be less than or equal to 255 characters`;
  if (p.startsWith('..')) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

const two = (n: number) => String(n).padStart(2, '0');

function versionDirName(now = new Date()): string {
  const d = `${now.getUTCFullYear()}_${two(now.getUTCMonth() + 1)}_${two(now.getUTCDate())}_${two(now.getUTCHours())}_${two(now.getUTCMinutes())}_${two(now.getUTCSeconds())}`;
  return `..${d}.${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

/** Files under dir (relative paths), recursively. */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

/** True when the version `..data` points at holds exactly this payload (same paths, bytes and modes). */
function sameAsCurrent(dir: string, payload: Payload): boolean {
  let current: string;
  try {
    current = join(dir, readlinkSync(join(dir, DATA)));
  } catch {
    return false;
  }
  try {
    const files = filesUnder(current);
    if (files.length !== payload.size) return false;
    for (const f of files) {
      const want = payload.get(f);
      if (!want) return false;
      const path = join(current, f);
      if ((statSync(path).mode & 0o7777) !== want.mode) return false;
      if (!readFileSync(path).equals(want.data)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The top-level names of a payload (`a/b/c` -> `a`). */
const topLevel = (payload: Payload): Set<string> => new Set([...payload.keys()].map((p) => p.split('/')[0] as string));

/**
 * Makes dir hold exactly payload, atomically; returns whether anything changed. Throws on an invalid path (nothing
 * is written then).
 */
export function writePayload(dir: string, payload: Payload): boolean {
  for (const p of payload.keys()) {
    const bad = invalidPayloadPath(p);
    if (bad) throw new Error(bad);
  }
  mkdirSync(dir, { recursive: true });
  if (sameAsCurrent(dir, payload)) {
    ensureLinks(dir, payload);
    return false;
  }
  let old: string | undefined;
  try {
    old = readlinkSync(join(dir, DATA));
  } catch {
    old = undefined;
  }
  const version = versionDirName();
  const versionDir = join(dir, version);
  mkdirSync(versionDir, { mode: 0o755 });
  for (const [p, f] of payload) {
    const path = join(versionDir, p);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, f.data);
    chmodSync(path, f.mode);
  }
  rmSync(join(dir, DATA_TMP), { force: true });
  symlinkSync(version, join(dir, DATA_TMP));
  renameSync(join(dir, DATA_TMP), join(dir, DATA));
  ensureLinks(dir, payload);
  if (old && old !== version) rmSync(join(dir, old), { recursive: true, force: true });
  return true;
}

/** Adds the top-level symlinks the payload needs and removes those it no longer has. */
function ensureLinks(dir: string, payload: Payload): void {
  const want = topLevel(payload);
  for (const name of want) {
    const link = join(dir, name);
    const target = `${DATA}/${name}`;
    try {
      if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) continue;
      unlinkSync(link);
    } catch {
      // absent
    }
    symlinkSync(target, link);
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || want.has(name)) continue;
    const link = join(dir, name);
    if (lstatSync(link).isSymbolicLink()) unlinkSync(link);
  }
}

/** True when dir already holds an atomic-writer layout. */
export function hasPayload(dir: string): boolean {
  return existsSync(join(dir, DATA));
}
