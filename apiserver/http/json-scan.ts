// One pass over a JSON text that JSON.parse has already accepted: how deep it nests, and which object keys occur
// twice. JSON.parse keeps the last value of a duplicated key without a word; Kubernetes' decoder reports it
// (`duplicate field "metadata.name"`: a warning, or 400 under fieldValidation=Strict). No recursion, so a body of
// any depth is measured without touching the stack.

/** A field path as segments: object keys and array indices. */
export type FieldPath = ReadonlyArray<string | number>;

export interface JsonScan {
  /** The deepest nesting seen, capped at limit + 1 (the scan stops there). */
  depth: number;
  /** Paths of keys that occur more than once in their object, in document order (at the repeat). */
  duplicates: FieldPath[];
}

interface Frame {
  array: boolean;
  /** Keys seen so far (objects, when duplicates are wanted). */
  keys?: Set<string>;
  /** The current key (objects) or index (arrays). */
  at: string | number;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where the string starting at `start` (a quote) ends: the index of its closing quote. */
function stringEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length; // not reached for text JSON.parse accepted
    let slashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return i;
  }
}

export function scanJson(text: string, limit: number, wantDuplicates: boolean): JsonScan {
  const stack: Frame[] = [];
  const duplicates: FieldPath[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        top.at = key;
        top.expectKey = false;
        if (top.keys) {
          if (top.keys.has(key)) duplicates.push([...stack.map((f) => f.at)]);
          else top.keys.add(key);
        }
      }
      i = end;
      continue;
    }
    switch (c) {
      case 0x7b: // {
      case 0x5b: // [
        stack.push({ array: c === 0x5b, at: 0, expectKey: c === 0x7b, keys: c === 0x7b && wantDuplicates ? new Set() : undefined });
        if (stack.length > depth) {
          depth = stack.length;
          if (depth > limit) return { depth, duplicates };
        }
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        break;
      case 0x2c: { // ,
        const top = stack[stack.length - 1];
        if (top?.array) top.at = (top.at as number) + 1;
        else if (top) top.expectKey = true;
        break;
      }
      default:
    }
  }
  return { depth, duplicates };
}

/** `spec.template.spec.containers[0].image`, `[1].path`: how Kubernetes' strict decoder prints a field path. */
export function renderPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}
