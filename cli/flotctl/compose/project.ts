// The compose project as `docker compose` settles it: which files (-f, else compose.yaml / compose.yml /
// docker-compose.yml / docker-compose.yaml in the working directory), the environment (.env beside the first file,
// then the process environment, which wins), each file interpolated and checked against the schema, the files
// merged, services outside the active profiles dropped, and the project name (-p, else `name:`, else
// COMPOSE_PROJECT_NAME, else the directory's name, normalised).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ComposeError } from './errors.js';
import { type Env, parseDotEnv } from './interpolate.js';
import { mergeFiles } from './merge.js';
import { type JsonObject, parseComposeFile } from './parse.js';
import { validateFile } from './validate.js';

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

export interface ProjectOptions {
  files: string[];
  cwd: string;
  projectName?: string;
  profiles: string[];
  envFile?: string;
  env: Env;
}

export interface Project {
  name: string;
  /** The directory relative paths (env_file, file: configs, bind mounts) are resolved against. */
  dir: string;
  files: string[];
  model: JsonObject;
  env: Env;
  /** Where a service (or a path under it) is written: the last file that defines it, and the line. */
  where(path: (string | number)[]): { file: string; line?: number };
}

/** Compose's normalisation: lower case, only [a-z0-9_-], starting with a letter or digit. */
export const normalizeProjectName = (s: string) => s.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');

function findFiles(o: ProjectOptions): string[] {
  if (o.files.length) return o.files.map((f) => resolve(o.cwd, f));
  const found = DEFAULT_FILES.map((f) => resolve(o.cwd, f)).find((f) => existsSync(f));
  if (!found) throw new ComposeError({ file: o.cwd }, `no configuration file provided: not found (looked for ${DEFAULT_FILES.join(', ')})`);
  return [found];
}

function hasPath(data: JsonObject, path: (string | number)[]): boolean {
  let v: unknown = data;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || !(k in v)) return false;
    v = (v as Record<string, unknown>)[k];
  }
  return true;
}

export function loadProject(o: ProjectOptions): Project {
  const files = findFiles(o);
  const dir = dirname(files[0] as string);
  const dotenv = o.envFile ? resolve(o.cwd, o.envFile) : resolve(dir, '.env');
  let env: Env = { ...o.env };
  if (existsSync(dotenv)) env = { ...parseDotEnv(readFileSync(dotenv, 'utf8'), o.env), ...o.env };
  else if (o.envFile) throw new ComposeError({ file: dotenv }, 'the env file does not exist');
  const parsed = files.map((f) => parseComposeFile(f, env));
  for (const f of parsed) validateFile(f);
  const model = mergeFiles(parsed.map((f) => f.data));
  const profiles = new Set([...o.profiles, ...(env.COMPOSE_PROFILES ? env.COMPOSE_PROFILES.split(',') : [])].filter(Boolean));
  const services = (model.services ?? {}) as JsonObject;
  for (const [name, svc] of Object.entries(services)) {
    const own = ((svc as JsonObject).profiles ?? []) as string[];
    if (own.length && !profiles.has('*') && !own.some((p) => profiles.has(p))) delete services[name];
  }
  model.services = services;
  const raw = o.projectName ?? (typeof model.name === 'string' ? model.name : undefined) ?? env.COMPOSE_PROJECT_NAME ?? basename(dir);
  const name = normalizeProjectName(raw);
  // the project is a namespace: a DNS-1123 label, which compose's own names (with `_`) may not be
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new ComposeError({ file: files[0] as string }, `project name "${name}" cannot be a namespace (lower case letters, digits and "-", at most 63): give one with -p`);
  }
  // `docker compose config` prints the name first
  const { name: _, ...rest } = model;
  const where = (path: (string | number)[]) => {
    const f = [...parsed].reverse().find((x) => x.lineOf(path.slice(0, 2)) !== undefined && hasPath(x.data, path.slice(0, 2))) ?? parsed[0];
    return { file: f?.file ?? files[0] as string, line: f?.lineOf(path) };
  };
  return { name, dir, files, model: { name, ...rest }, env, where };
}
