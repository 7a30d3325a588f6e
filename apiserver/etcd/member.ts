// What the data dir remembers about its embedded etcd (<data-dir>/etcd.json): the ports it listens on (picked once,
// kept across restarts) and the cluster identity written into that etcd at its first start.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface MemberRecord {
  clientPort?: number;
  peerPort?: number;
  /** The cluster identity stored in this etcd (identity.ts); absent before the first start. */
  identity?: string;
}

export function readMember(file: string): MemberRecord {
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); fix or remove it`);
  }
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const port = (v: unknown) => (Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536 ? (v as number) : undefined);
  return { clientPort: port(r.clientPort), peerPort: port(r.peerPort), identity: typeof r.identity === 'string' && r.identity ? r.identity : undefined };
}

/** Written whole, through a rename, so a crash never leaves half a record. */
export function writeMember(file: string, m: MemberRecord): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}
