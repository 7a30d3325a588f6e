// The whole project as Kubernetes objects, in the order they can be applied: claims, config maps and secrets
// first (pods mount them), then each service's Service (dependents' init containers connect to it) and workload.
// Every object carries the managed-by and compose labels that `up` prunes and `down` deletes by.
import type { KubeObject } from '../../../lib/api/types.js';
import { ServiceError } from './container.js';
import { ComposeError } from './errors.js';
import type { JsonObject } from './parse.js';
import type { Project } from './project.js';
import { claims, configObjects, k8sName, mountsOf, StorageError } from './storage.js';
import { UnitError } from './units.js';
import { serviceOf, workloadOf } from './workload.js';

export const MANAGED_BY = 'flotctl-compose';
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';

export interface ConvertOptions {
  allowHostPaths: boolean;
  waitImage: string;
  warn(s: string): void;
}

export const projectLabels = (project: string) => ({ 'app.kubernetes.io/managed-by': MANAGED_BY, [PROJECT_LABEL]: project });

/** Drops undefined fields, so what is printed is what is sent. */
function clean<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function convert(project: Project, o: ConvertOptions): KubeObject[] {
  const base = projectLabels(project.name);
  const services = (project.model.services ?? {}) as Record<string, JsonObject>;
  const ctx = { dir: project.dir, model: project.model, allowHostPaths: o.allowHostPaths, env: project.env };
  const used = { configs: new Set<string>(), secrets: new Set<string>() };
  const perService: KubeObject[] = [];
  const names = new Map<string, string>();
  for (const name of Object.keys(services).sort()) {
    const svc = services[name] as JsonObject;
    const labels = { ...base, [SERVICE_LABEL]: k8sName(name) };
    const clash = names.get(k8sName(name));
    try {
      if (clash) throw new ServiceError(`has the same Kubernetes name "${k8sName(name)}" as service "${clash}"`);
      names.set(k8sName(name), name);
      const mounts = mountsOf(ctx, svc, used);
      const service = serviceOf(name, svc, labels);
      if (service) perService.push(service);
      perService.push(workloadOf(name, svc, mounts, labels, { dir: project.dir, env: project.env, waitImage: o.waitImage, services, warn: o.warn }));
    } catch (e) {
      if (e instanceof ServiceError || e instanceof StorageError || e instanceof UnitError) throw new ComposeError({ ...project.where(['services', name]), service: name }, e.message);
      throw e;
    }
  }
  let shared: KubeObject[];
  try {
    shared = [...claims(ctx, base), ...configObjects(ctx, used, base)];
  } catch (e) {
    if (e instanceof StorageError || e instanceof UnitError) throw new ComposeError({ file: project.files.join(', ') }, e.message);
    throw e;
  }
  return clean([...shared, ...perService]).map((obj) => ({ ...obj, metadata: { ...obj.metadata, namespace: project.name } }));
}
