// Compose's variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err},
// ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $. Defaults may themselves hold ${...} (nested), as compose allows.

export type Env = Record<string, string | undefined>;

export class InterpolationError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The index just past the `}` that closes the `${` opened before `from`, counting nested braces. */
function closing(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, env: Env): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format for "\${${body}}": a variable name is required`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = env[name];
  if (!rest) return value ?? '';
  const colon = rest.startsWith(':');
  const op = rest[colon ? 1 : 0];
  const arg = rest.slice(colon ? 2 : 1);
  // with a colon, an empty value counts as unset
  const set = colon ? value !== undefined && value !== '' : value !== undefined;
  switch (op) {
    case '-':
      return set ? (value as string) : interpolate(arg, env);
    case '?':
      if (!set) throw new InterpolationError(`required variable ${name} is missing a value${arg ? `: ${interpolate(arg, env)}` : ''}`);
      return value as string;
    case '+':
      return set ? interpolate(arg, env) : '';
    default:
      throw new InterpolationError(`invalid interpolation format for "\${${body}}"`);
  }
}

export function interpolate(s: string, env: Env): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closing(s, i + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation format for "${s}": missing "}"`);
      out += braced(s.slice(i + 2, end), env);
      i = end;
    } else {
      const m = NAME.exec(s.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      out += env[m[0]] ?? '';
      i += m[0].length;
    }
  }
  return out;
}

/** A .env file as compose reads it: KEY=VALUE lines, `#` comments, `export ` prefixes, quoted values. */
export function parseDotEnv(text: string, env: Env = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      // a bare KEY takes its value from the environment, if any
      const v = env[line];
      if (v !== undefined) out[line] = v;
      continue;
    }
    const key = line.slice(0, eq).trim();
    let v = line.slice(eq + 1).trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\n/g, '\n').replace(/\\"/g, '"');
      else {
        out[key] = v; // single quotes: no interpolation
        continue;
      }
    } else v = v.replace(/\s+#.*$/, '');
    out[key] = interpolate(v, { ...env, ...out });
  }
  return out;
}
