// KubeSchedulerConfiguration, the subset Flotilla honours: profiles (schedulerName + plugins per extension point,
// enabled/disabled as kube merges them with the defaults) and percentageOfNodesToScore. Read from YAML or JSON.
// Other top-level fields real files carry (clientConnection, leaderElection...) are accepted and ignored.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEFAULT_SCHEDULER_NAME, isFilter, isScore, type FilterPlugin, type Framework, type Plugin, type WeightedScore } from './framework.js';
import { PLUGIN_FACTORIES } from './plugins/index.js';

export interface PluginRef {
  name: string;
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}

export interface SchedulerProfile {
  schedulerName?: string;
  plugins?: { filter?: PluginSet; score?: PluginSet };
}

export interface SchedulerConfig {
  apiVersion?: string;
  kind?: string;
  /** 0 or unset: adaptive (kube's formula); 1..100: that share of the nodes. */
  percentageOfNodesToScore?: number;
  profiles?: SchedulerProfile[];
}

/** Filters run cheap-first; order also decides which reason a node reports when it fails several. */
export const DEFAULT_FILTERS = ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeReady', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity'];
export const DEFAULT_SCORES: PluginRef[] = [
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'OwnerSpread', weight: 2 },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
];

export function defaultSchedulerConfig(): SchedulerConfig {
  return {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    percentageOfNodesToScore: 0,
    profiles: [{ schedulerName: DEFAULT_SCHEDULER_NAME }],
  };
}

export class SchedulerConfigError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and validates a configuration file; every problem is reported with where it is. */
export function loadSchedulerConfig(path: string): SchedulerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SchedulerConfigError(`scheduler config ${path}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new SchedulerConfigError(`scheduler config ${path}: not valid YAML or JSON: ${(e as Error).message}`);
  }
  try {
    return validateSchedulerConfig(doc ?? {});
  } catch (e) {
    throw new SchedulerConfigError(`scheduler config ${path}: ${(e as Error).message}`);
  }
}

export function validateSchedulerConfig(doc: unknown): SchedulerConfig {
  if (!isObj(doc)) throw new SchedulerConfigError('expected a KubeSchedulerConfiguration object');
  if (doc.kind !== undefined && doc.kind !== 'KubeSchedulerConfiguration') throw new SchedulerConfigError(`kind ${JSON.stringify(doc.kind)} is not KubeSchedulerConfiguration`);
  if (doc.apiVersion !== undefined && !String(doc.apiVersion).startsWith('kubescheduler.config.k8s.io/')) throw new SchedulerConfigError(`apiVersion ${JSON.stringify(doc.apiVersion)} is not kubescheduler.config.k8s.io/*`);
  const pct = doc.percentageOfNodesToScore;
  if (pct !== undefined && (typeof pct !== 'number' || !(pct >= 0 && pct <= 100))) throw new SchedulerConfigError(`percentageOfNodesToScore must be a number from 0 to 100, got ${JSON.stringify(pct)}`);
  if (doc.profiles !== undefined && !Array.isArray(doc.profiles)) throw new SchedulerConfigError('profiles must be a list');
  const config = doc as SchedulerConfig;
  buildFrameworks(config); // resolves every plugin reference, throwing on the first bad one
  return config;
}

function refs(set: PluginSet | undefined, list: 'enabled' | 'disabled', where: string): PluginRef[] {
  const v = set?.[list];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SchedulerConfigError(`${where}.${list} must be a list`);
  return v.map((r, i) => {
    if (!isObj(r) || typeof r.name !== 'string') throw new SchedulerConfigError(`${where}.${list}[${i}] needs a name`);
    if (r.name !== '*' && !(r.name in PLUGIN_FACTORIES)) {
      throw new SchedulerConfigError(`${where}.${list}[${i}]: unknown plugin ${JSON.stringify(r.name)} (known plugins: ${Object.keys(PLUGIN_FACTORIES).join(', ')})`);
    }
    if (r.weight !== undefined && (typeof r.weight !== 'number' || !Number.isInteger(r.weight) || r.weight < 1 || r.weight > 100)) {
      throw new SchedulerConfigError(`${where}.${list}[${i}]: weight of ${r.name} must be an integer from 1 to 100`);
    }
    return r as unknown as PluginRef;
  });
}

/** kube's merge: defaults minus disabled ("*" disables all), enabled ones replace a default in place or append. */
function merge(defaults: PluginRef[], set: PluginSet | undefined, where: string): PluginRef[] {
  const disabled = refs(set, 'disabled', where);
  const enabled = refs(set, 'enabled', where);
  if (enabled.some((r) => r.name === '*')) throw new SchedulerConfigError(`${where}.enabled: "*" is only valid in disabled`);
  const all = disabled.some((r) => r.name === '*');
  const out = all ? [] : defaults.filter((d) => !disabled.some((r) => r.name === d.name)).map((d) => ({ ...d }));
  for (const r of enabled) {
    const i = out.findIndex((d) => d.name === r.name);
    if (i >= 0) out[i] = { ...out[i], ...r };
    else out.push({ ...r });
  }
  return out;
}

/** Turns a validated config into one runnable Framework per profile. */
export function buildFrameworks(config: SchedulerConfig): Framework[] {
  const profiles = config.profiles?.length ? config.profiles : [{ schedulerName: DEFAULT_SCHEDULER_NAME }];
  const seen = new Set<string>();
  return profiles.map((p: SchedulerProfile, i): Framework => {
    const where = `profiles[${i}]`;
    if (!isObj(p as unknown)) throw new SchedulerConfigError(`${where} must be an object`);
    if (p.schedulerName !== undefined && typeof (p.schedulerName as unknown) !== 'string') throw new SchedulerConfigError(`${where}.schedulerName must be a string`);
    const schedulerName = p.schedulerName || DEFAULT_SCHEDULER_NAME;
    if (seen.has(schedulerName)) throw new SchedulerConfigError(`${where}: duplicate schedulerName ${JSON.stringify(schedulerName)}`);
    seen.add(schedulerName);
    const instances = new Map<string, Plugin>(); // one instance per plugin per profile, shared by its extension points
    const instance = (name: string): Plugin => {
      let pl = instances.get(name);
      if (!pl) instances.set(name, (pl = (PLUGIN_FACTORIES[name] as () => Plugin)()));
      return pl;
    };
    const filters = merge(DEFAULT_FILTERS.map((name) => ({ name })), p.plugins?.filter, `${where}.plugins.filter`).map((r) => {
      const pl = instance(r.name);
      if (!isFilter(pl)) throw new SchedulerConfigError(`${where}.plugins.filter: plugin ${r.name} is not a filter plugin`);
      return pl as FilterPlugin;
    });
    const scores = merge(DEFAULT_SCORES, p.plugins?.score, `${where}.plugins.score`).map((r): WeightedScore => {
      const pl = instance(r.name);
      if (!isScore(pl)) throw new SchedulerConfigError(`${where}.plugins.score: plugin ${r.name} is not a score plugin`);
      return { plugin: pl, weight: r.weight ?? 1 };
    });
    return { schedulerName, filters, scores, percentageOfNodesToScore: config.percentageOfNodesToScore ?? 0 };
  });
}
