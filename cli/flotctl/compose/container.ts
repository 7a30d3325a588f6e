// One compose service's container: image, command/entrypoint, environment (with env_file), working_dir, user,
// resources, ports, and its healthcheck as readiness, liveness and startup probes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDotEnv } from './interpolate.js';
import { listOrMap } from './merge.js';
import type { Json, JsonObject } from './parse.js';
import type { Obj } from './storage.js';
import { int, quantity, seconds } from './units.js';

export class ServiceError extends Error {}

/** A string command split as compose splits it (shell words: quotes group, no expansion). */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (q) {
      if (c === q) q = undefined;
      else if (c === '\\' && q === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (q) throw new ServiceError(`unterminated quote in ${JSON.stringify(s)}`);
  if (inWord) out.push(cur);
  return out;
}

const argv = (v: Json | undefined) => (v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : shellWords(String(v)));

function envOf(svc: JsonObject, dir: string, env: Record<string, string | undefined>): Obj[] {
  const vars: Record<string, string> = {};
  const files = svc.env_file === undefined ? [] : Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
  for (const f of files) {
    const ref = typeof f === 'string' ? { path: f, required: true } : (f as JsonObject);
    const path = resolve(dir, String(ref.path));
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if (ref.required === false) continue;
      throw new ServiceError(`env_file ${String(ref.path)}: ${(e as Error).message}`);
    }
    Object.assign(vars, parseDotEnv(text, env));
  }
  for (const [k, v] of Object.entries(listOrMap(svc.environment))) {
    // `- NAME` alone takes the value from the environment compose runs in, and is left out when that has none
    if (v === null) {
      if (env[k] !== undefined) vars[k] = env[k] as string;
    } else vars[k] = String(v);
  }
  return Object.entries(vars).map(([name, value]) => ({ name, value }));
}

function securityContext(user: Json | undefined, warn: (s: string) => void): Obj | undefined {
  if (user === undefined || user === null) return undefined;
  const m = /^(\d+)(?::(\d+))?$/.exec(String(user));
  if (!m) {
    warn(`user "${String(user)}" is not numeric: Kubernetes takes a UID (and GID), so the image's default user is used`);
    return undefined;
  }
  return { runAsUser: Number(m[1]), ...(m[2] ? { runAsGroup: Number(m[2]) } : {}) };
}

/** The healthcheck as probes; undefined when there is none or it is disabled. */
export function probesOf(hc: JsonObject | undefined): { readinessProbe: Obj; livenessProbe: Obj; startupProbe?: Obj } | undefined {
  if (!hc || hc.disable === true) return undefined;
  const test = hc.test;
  let command: string[];
  if (typeof test === 'string') command = ['/bin/sh', '-c', test];
  else if (Array.isArray(test) && test.length) {
    const [kind, ...rest] = test.map(String);
    if (kind === 'NONE') return undefined;
    if (kind === 'CMD') command = rest;
    else if (kind === 'CMD-SHELL') command = ['/bin/sh', '-c', rest.join(' ')];
    else throw new ServiceError(`healthcheck.test must start with CMD, CMD-SHELL or NONE, not ${JSON.stringify(kind)}`);
  } else return undefined; // no test: the image's own HEALTHCHECK, which the cluster does not run
  // compose's defaults: every 30s, 30s timeout, 3 retries, no start period
  const period = seconds(hc.interval, 'healthcheck.interval') ?? 30;
  const timeout = seconds(hc.timeout, 'healthcheck.timeout') ?? 30;
  const retries = int(hc.retries, 'healthcheck.retries') ?? 3;
  const probe = { exec: { command }, periodSeconds: period, timeoutSeconds: timeout, failureThreshold: retries };
  const start = seconds(hc.start_period, 'healthcheck.start_period') ?? 0;
  if (!start) return { readinessProbe: probe, livenessProbe: { ...probe } };
  // during start_period failures do not count: a startup probe that allows that long, checked every start_interval
  const every = seconds(hc.start_interval, 'healthcheck.start_interval') ?? Math.min(5, period);
  const startupProbe = { ...probe, periodSeconds: every, failureThreshold: Math.ceil(start / every) + retries };
  return { readinessProbe: probe, livenessProbe: { ...probe }, startupProbe };
}

function resourcesOf(deploy: JsonObject): Obj | undefined {
  const res = (deploy.resources ?? {}) as JsonObject;
  const conv = (r: JsonObject | undefined, what: string) => {
    if (!r) return undefined;
    const out: Record<string, string> = {};
    if (r.cpus !== undefined) out.cpu = String(r.cpus);
    const mem = quantity(r.memory, `${what}.memory`);
    if (mem) out.memory = mem;
    return Object.keys(out).length ? out : undefined;
  };
  const limits = conv(res.limits as JsonObject | undefined, 'deploy.resources.limits');
  const requests = conv(res.reservations as JsonObject | undefined, 'deploy.resources.reservations');
  return limits || requests ? { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) } : undefined;
}

/** The container ports of a service: its ports' targets and its expose list, as [port, protocol]. */
export function targetPorts(svc: JsonObject): { port: number; protocol: string; published?: number }[] {
  const out = new Map<string, { port: number; protocol: string; published?: number }>();
  for (const p of (svc.ports ?? []) as Json[]) {
    let target: number;
    let protocol = 'TCP';
    let published: number | undefined;
    if (typeof p === 'object' && p !== null) {
      const o = p as JsonObject;
      target = Number(o.target);
      protocol = String(o.protocol ?? 'tcp').toUpperCase();
      published = o.published === undefined ? undefined : Number(o.published);
    } else {
      const [spec, proto = 'tcp'] = String(p).split('/') as [string, string?];
      protocol = proto.toUpperCase();
      const parts = spec.split(':');
      const t = parts.at(-1) as string;
      const pub = parts.length >= 2 ? parts.at(-2) : undefined;
      if (t.includes('-') || pub?.includes('-')) throw new ServiceError(`port range ${String(p)} is not supported: list the ports one by one`);
      target = Number(t);
      published = pub ? Number(pub) : undefined;
    }
    if (!Number.isInteger(target) || (published !== undefined && !Number.isInteger(published))) throw new ServiceError(`invalid port ${JSON.stringify(p)}`);
    out.set(`${target}/${protocol}/${published ?? ''}`, { port: target, protocol, published });
  }
  for (const e of (svc.expose ?? []) as Json[]) {
    const [port, proto = 'tcp'] = String(e).split('/') as [string, string?];
    const key = `${port}/${proto.toUpperCase()}`;
    if (![...out.keys()].some((k) => k.startsWith(`${key}/`))) out.set(`${key}/`, { port: Number(port), protocol: proto.toUpperCase() });
  }
  return [...out.values()];
}

export function containerOf(name: string, svc: JsonObject, dir: string, env: Record<string, string | undefined>, warn: (s: string) => void): Obj {
  if (typeof svc.image !== 'string') {
    if (svc.build !== undefined) {
      throw new ServiceError('has build: but no image: the cluster does not build images. ' +
        'Build it elsewhere (docker build, buildah), push it to ' +
        "the cluster's registry (docker save IMAGE -o IMAGE.tar; flotctl image push IMAGE.tar), and name it in image: as the push printed it");
    }
    throw new ServiceError('has no image');
  }
  if (svc.build !== undefined) warn('build: is ignored; the image named in image: is used as it is in the registry');
  const deploy = (svc.deploy ?? {}) as JsonObject;
  const probes = probesOf(svc.healthcheck as JsonObject | undefined);
  const ports = [...new Map(targetPorts(svc).map((p) => [`${p.port}/${p.protocol}`, { containerPort: p.port, protocol: p.protocol }])).values()];
  const c: Obj = {
    name,
    image: svc.image,
    command: argv(svc.entrypoint),
    args: argv(svc.command),
    workingDir: svc.working_dir ?? undefined,
    env: envOf(svc, dir, env),
    ports: ports.length ? ports : undefined,
    resources: resourcesOf(deploy),
    securityContext: securityContext(svc.user, warn),
    ...probes,
    stdin: svc.stdin_open === true ? true : undefined,
    tty: svc.tty === true ? true : undefined,
  };
  if (!(c.env as Obj[]).length) delete c.env;
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  return c;
}
