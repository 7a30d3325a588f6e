// How Go's fmt prints decoded JSON values (map[string]interface{}, []interface{}, string, int64, float64, bool, nil),
// for the places where kubectl's output shows Go formatting: custom-columns cells (%v), jsonpath errors (%v, %T) and
// the object dump in a failed jsonpath's message (%#v).
type Val = unknown;

const isFloatBox = (v: Val): v is { v: number } => !!v && typeof v === 'object' && v.constructor?.name === 'GoFloat';
const isMap = (v: Val): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !isFloatBox(v);

/** strconv.FormatFloat(f, 'g', -1, 64), as %v prints a float64 (exponent form from 1e+06 up and below 1e-04). */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(f)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = f.toExponential().split('e') as [string, string];
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(f);
}

function scalar(v: Val): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (isFloatBox(v)) return goFloat(v.v);
  return undefined;
}

/** fmt.Sprint(v): `map[a:1 b:[x y]]`, `<nil>`. */
export function goString(v: Val): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goString(v[k])}`).join(' ')}]`;
  return String(v);
}

/** The Go type name of a decoded value, as %T or reflect's Type.String() print it. */
export function goType(v: Val): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (isFloatBox(v)) return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  return 'interface {}';
}

/** strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c === '\x07') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xad || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out + '"';
}

/** fmt's %#v of a decoded value: `map[string]interface {}{"a":1, "b":[]interface {}{"x"}}`. */
export function goSyntax(v: Val): string {
  if (typeof v === 'string') return goQuote(v);
  const s = scalar(v);
  if (s !== undefined) return s;
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  if (isMap(v)) return `map[string]interface {}{${Object.keys(v).sort().map((k) => `${goQuote(k)}:${goSyntax(v[k])}`).join(', ')}}`;
  return String(v);
}

/** The text of a Node fs error as Go's os package words it: `open /x: no such file or directory`. */
export function goFileError(e: unknown, path: string): string {
  const code = (e as { code?: string }).code;
  const why: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'not a directory' };
  return `${code === 'EISDIR' ? 'read' : 'open'} ${path}: ${why[code ?? ''] ?? (e as Error).message}`;
}
