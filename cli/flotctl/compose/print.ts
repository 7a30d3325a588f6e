// What config and convert print: the merged model as YAML (as `docker compose config`), and the manifests as
// multi-document YAML with each Service's port choice as a comment above it.
import { stringify } from 'yaml';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Project } from './project.js';

/** A literal `$` is written back as `$$`, as docker compose config writes it: the output is itself a compose file. */
function escapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('$', '$$$$');
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeDollars(x)]));
  return v;
}

export function printConfig(project: Project): string {
  return stringify(escapeDollars(project.model), { lineWidth: 0 });
}

export function printManifests(objs: KubeObject[]): string {
  return objs.map((o) => {
    const note = o.kind === 'Service' ? o.metadata.annotations?.['flotilla.dev/compose-ports'] : undefined;
    return `${note ? `# published ports: ${note}\n` : ''}${stringify(o, { lineWidth: 0 })}`;
  }).join('---\n');
}
