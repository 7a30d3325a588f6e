// What config and convert print: the merged model as YAML (as `docker compose config`), and the manifests as
// multi-document YAML with each Service's port choice as a comment above it.
import { stringify } from 'yaml';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Project } from './project.js';

export function printConfig(project: Project): string {
  return stringify(project.model, { lineWidth: 0 });
}

export function printManifests(objs: KubeObject[]): string {
  return objs.map((o) => {
    const note = o.kind === 'Service' ? o.metadata.annotations?.['flotilla.dev/compose-ports'] : undefined;
    return `${note ? `# published ports: ${note}\n` : ''}${stringify(o, { lineWidth: 0 })}`;
  }).join('---\n');
}
