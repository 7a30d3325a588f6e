// The text machinery every describer shares: Go's text/tabwriter as kubectl's describe configures it (minwidth 0,
// padding 2, spaces; a column spans only the consecutive lines that have a cell in it; Flush closes every column),
// a writer with two-space indentation levels, and kubectl's label, annotation, taint and toleration lists.
import { humanDuration } from '../../../lib/api/duration.js';
import { tabFormat } from '../tabwriter.js';

/** kubectl's PrefixWriter over a tabwriter: write(level, text) indents by two spaces a level; flush() aligns. */
export class Writer {
  private done = '';
  private pending = '';

  write(level: number, text: string): void {
    // kubectl escapes terminal control characters in everything it describes.
    this.pending += ('  '.repeat(level) + text).replace(/\x1b/g, '^[').replace(/\r/g, '\\r');
  }
  /** Go's WriteLine: the values joined by spaces, then a newline, at no indentation. */
  line(...a: string[]): void {
    this.write(0, a.join(' ') + '\n');
  }
  flush(): void {
    this.done += tabFormat(this.pending, { minwidth: 0, padding: 2 });
    this.pending = '';
  }
  text(): string {
    this.flush();
    return this.done;
  }
}

export type StrMap = Record<string, string>;
/** A describer reads an object's JSON freely: its fields are checked where they are printed. */
export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies

/** `Labels:  a=b` then one `key=value` per line under the first, sorted; `<none>` when empty. */
export function labelsMultiline(w: Writer, title: string, labels: StrMap | undefined, initialIndent = '', innerIndent = '\t'): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort(byBytes);
  if (!keys.length) return w.line('<none>');
  keys.forEach((k, i) => {
    if (i) w.write(0, initialIndent + innerIndent);
    w.write(0, `${k}=${(labels as StrMap)[k]}\n`);
  });
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_ANNOTATION = 140;

/** Annotations as kubectl lists them: last-applied hidden, long or multi-line values on their own indented lines. */
export function annotationsMultiline(w: Writer, title: string, annotations: StrMap | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {}).filter((k) => k !== LAST_APPLIED).sort(byBytes);
  if (!keys.length) return w.line('<none>');
  keys.forEach((k, i) => {
    if (i) w.write(0, '\t');
    const value = ((annotations as StrMap)[k] as string).replace(/\n$/, '');
    if (bytes(value) + bytes(k) + 2 > MAX_ANNOTATION || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) w.write(0, `\t  ${shorten(s, MAX_ANNOTATION - 2)}\n`);
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

const bytes = (s: string) => Buffer.byteLength(s);
function shorten(s: string, max: number): string {
  const b = Buffer.from(s);
  return b.length > max ? b.subarray(0, max).toString('utf8') + '...' : s;
}

/** Go's sort.Strings order (bytes, not UTF-16 units). */
export const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export function taintsMultiline(w: Writer, title: string, taints: Taint[] | undefined): void {
  w.write(0, `${title}:\t`);
  if (!taints?.length) return w.line('<none>');
  const key = (t: Taint) => `${t.effect},${t.key}`;
  [...taints].sort((a, b) => byBytes(key(a), key(b))).forEach((t, i) => {
    if (i) w.write(0, '\t');
    w.write(0, `${t.value ? `${t.key}=${t.value}` : t.key}:${t.effect}\n`);
  });
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function tolerationsMultiline(w: Writer, title: string, tolerations: Toleration[] | undefined, initialIndent = ''): void {
  w.write(0, `${initialIndent}${title}:\t`);
  if (!tolerations?.length) return w.line('<none>');
  [...tolerations].sort((a, b) => byBytes(a.key ?? '', b.key ?? '')).forEach((t, i) => {
    if (i) w.write(0, initialIndent + '\t');
    let s = t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, s + '\n');
  });
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Go's time.RFC1123Z in the local zone (`Mon, 02 Jan 2006 15:04:05 -0700`); an unset time is Go's zero time. */
export function rfc1123z(ts: string | undefined | null): string {
  if (!ts) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const d = new Date(ts);
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
  return `${DAYS[d.getDay()]}, ${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${zone}`;
}

/** How long ago, as kubectl prints ages; `<unknown>` for an unset time. */
export function since(ts: string | undefined | null, now = Date.now()): string {
  if (!ts) return '<unknown>';
  const ms = now - Date.parse(ts);
  // Up to two seconds in the future counts as now (clock skew); further is invalid.
  if (ms <= -2000) return '<invalid>';
  return humanDuration(ms);
}
