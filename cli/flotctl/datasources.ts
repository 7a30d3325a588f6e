// The data of `create configmap` / `create secret generic`: --from-literal=KEY=VALUE, --from-file=[KEY=]PATH (a file,
// or every regular file of a directory), --from-env-file=PATH (KEY=VALUE lines). Keys are checked as the API server
// checks them; a key given twice is an error, as in kubectl.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CliError } from './context.js';
import { type Parsed, all } from './flags.js';

const KEY = /^[-._a-zA-Z0-9]+$/;

export interface Data {
  data: Record<string, string>;
  binaryData: Record<string, string>;
}

/** `what` names the object in messages (`ConfigMap "c"`); secrets keep every value base64-encoded in data. */
export function dataSources(p: Parsed, what: string, kindName: string, secret: boolean): Data {
  const out: Data = { data: {}, binaryData: {} };
  const add = (key: string, value: Buffer) => {
    if (!KEY.test(key) || key === '.' || key === '..') {
      throw new CliError(`error: "${key}" is not a valid key name for a ${kindName}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`);
    }
    if (key in out.data || key in out.binaryData) {
      throw new CliError(secret ? `error: cannot add key ${key}, another key by that name already exists` : `error: cannot add key "${key}", another key by that name already exists in Data for ${what}`);
    }
    const text = value.toString('utf8');
    if (secret) out.data[key] = value.toString('base64');
    else if (Buffer.from(text, 'utf8').equals(value)) out.data[key] = text;
    else out.binaryData[key] = value.toString('base64');
  };
  for (const lit of all(p, 'from-literal')) {
    const eq = lit.indexOf('=');
    if (eq <= 0) throw new CliError(`error: invalid literal source ${lit}, expected key=value`);
    add(lit.slice(0, eq), Buffer.from(lit.slice(eq + 1), 'utf8'));
  }
  for (const src of all(p, 'from-file')) {
    const eq = src.indexOf('=');
    const [key, path] = eq > 0 ? [src.slice(0, eq), src.slice(eq + 1)] : [undefined, src];
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new CliError(`error: error reading ${path}: no such file or directory`);
    }
    if (st.isDirectory()) {
      if (key) throw new CliError(`error: cannot give a key name for a directory path`);
      for (const n of readdirSync(path).sort()) if (statSync(join(path, n)).isFile()) add(n, readFileSync(join(path, n)));
    } else {
      add(key ?? basename(path), readFileSync(path));
    }
  }
  for (const path of all(p, 'from-env-file')) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new CliError(`error: error reading ${path}: no such file or directory`);
    }
    for (const raw of text.split('\n')) {
      const line = raw.replace(/^\uFEFF/, '').trimStart();
      if (!line || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      const k = eq >= 0 ? line.slice(0, eq) : line.trimEnd();
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k)) throw new CliError(`error: "${k}" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`);
      // KEY with no `=` takes its value from flotctl's own environment, as kubectl does.
      const v = eq >= 0 ? line.slice(eq + 1) : process.env[k];
      if (v !== undefined) add(k, Buffer.from(v, 'utf8'));
    }
  }
  return out;
}
