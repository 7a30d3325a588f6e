// Applies Rulesets to the kernel with `nft -f -`, one transaction per call however many tables it spans, and remembers
// what is installed so that the next call sends only the difference. Only the tables named by the Rulesets it is
// given are ever touched.
import type { CommandRunner } from '../exec.js';
import { deleteTableTransaction, fullTransaction, incrementalTransaction, type Family, type Ruleset } from './ruleset.js';

/** What one apply() sent. */
export interface ApplyResult {
  /** Tables that were replaced whole (first sync, after an error, or a declaration changed). */
  fullTables: string[];
  /** Lines of the nft script (0: nothing had changed and nft was not run). */
  lines: number;
}

/** Table names: what nft accepts and what we can recognise as ours. */
export function validTableName(name: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/.test(name);
}

export class NftApplier {
  /** What the last successful transaction installed, per `family table`. */
  private installed = new Map<string, Ruleset>();

  constructor(private readonly runner: CommandRunner) {}

  /** Installs `rulesets` in one transaction. On failure nothing changed in the kernel and the next call is a full one. */
  async apply(rulesets: Ruleset[]): Promise<ApplyResult> {
    const parts: string[] = [];
    const fullTables: string[] = [];
    for (const rs of rulesets) {
      if (!validTableName(rs.table)) throw new Error(`invalid nftables table name ${JSON.stringify(rs.table)}`);
      const prev = this.installed.get(`${rs.family} ${rs.table}`);
      const inc = prev ? incrementalTransaction(prev, rs) : undefined;
      if (inc === undefined) {
        fullTables.push(`${rs.family} ${rs.table}`);
        parts.push(fullTransaction(rs));
      } else {
        parts.push(inc);
      }
    }
    const script = parts.join('');
    if (!script) return { fullTables, lines: 0 };
    const r = await this.runner('nft', ['-f', '-'], script);
    if (r.code !== 0) {
      for (const rs of rulesets) this.installed.delete(`${rs.family} ${rs.table}`);
      throw new Error(`nft -f failed (exit ${r.code}): ${excerpt(r.stderr || r.stdout, script)}`);
    }
    for (const rs of rulesets) this.installed.set(`${rs.family} ${rs.table}`, rs);
    return { fullTables, lines: script.split('\n').length - 1 };
  }

  /** Deletes these tables (if present) in one transaction and forgets them. */
  async remove(tables: { family: Family; table: string }[]): Promise<void> {
    const script = tables.map((t) => deleteTableTransaction(t.family, t.table)).join('');
    for (const t of tables) this.installed.delete(`${t.family} ${t.table}`);
    if (!script) return;
    const r = await this.runner('nft', ['-f', '-'], script);
    if (r.code !== 0) throw new Error(`nft: deleting ${tables.map((t) => `${t.family} ${t.table}`).join(', ')} failed: ${r.stderr.trim()}`);
  }

  /** Forgets what is installed: the next apply() replaces every table whole (e.g. after someone else changed it). */
  reset(): void {
    this.installed.clear();
  }
}

/** nft's error lines, with the script line each one points at (nft names `/dev/stdin:LINE:COL`). */
function excerpt(stderr: string, script: string): string {
  const lines = script.split('\n');
  const out = stderr.trim().split('\n').slice(0, 6);
  const m = /:(\d+):\d+-\d+:/.exec(stderr);
  if (m) {
    const n = Number(m[1]);
    out.push(`(script line ${n}: ${(lines[n - 1] ?? '').slice(0, 300)})`);
  }
  return out.join('\n');
}
