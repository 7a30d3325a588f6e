// The schemas the editor validates against: the server's OpenAPI v3 documents, one per group version, found
// through the /openapi/v3 index and fetched by their content-hash address (the browser may cache those forever).
import type { ApiClient } from '../api/client.js';
import type { Schema, SchemaIndex } from './validate.js';

interface V3Document {
  components?: { schemas?: Record<string, Schema & { 'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }> }> };
}

const PREFIX = '#/components/schemas/';

/** The index key of a group version: `api/v1`, `apis/apps/v1`. */
export const indexKey = (apiVersion: string): string => (apiVersion.includes('/') ? `apis/${apiVersion}` : `api/${apiVersion}`);

interface Loaded {
  schemas: Record<string, Schema>;
  byKind: Map<string, Schema>;
}

/** Builds the kind -> schema map of one document (by x-kubernetes-group-version-kind). */
export function indexDocument(doc: V3Document, apiVersion: string): Loaded {
  const schemas = doc.components?.schemas ?? {};
  const byKind = new Map<string, Schema>();
  for (const s of Object.values(schemas)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
      if ((g.group ? `${g.group}/${g.version}` : g.version) === apiVersion) byKind.set(g.kind, s);
    }
  }
  return { schemas, byKind };
}

export class OpenApiSchemas implements SchemaIndex {
  private root?: Promise<Record<string, { serverRelativeURL: string }>>;
  private readonly docs = new Map<string, Promise<Loaded | null>>();
  private readonly ready = new Map<string, Loaded | null>();

  constructor(private readonly api: ApiClient) {}

  /** Loads the documents of these API versions (once each); afterwards kind() and ref() answer for them. */
  async load(apiVersions: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(apiVersions)].map((v) => this.doc(v)));
  }

  private doc(apiVersion: string): Promise<Loaded | null> {
    let p = this.docs.get(apiVersion);
    if (!p) {
      p = (async () => {
        this.root ??= this.api.get<{ paths: Record<string, { serverRelativeURL: string }> }>('/openapi/v3').then((r) => r.paths ?? {});
        const paths = await this.root;
        const entry = paths[indexKey(apiVersion)];
        if (!entry) return null; // the server serves no such group version
        return indexDocument(await this.api.get<V3Document>(entry.serverRelativeURL), apiVersion);
      })().then(
        (l) => {
          this.ready.set(apiVersion, l);
          return l;
        },
        () => {
          this.docs.delete(apiVersion); // a failed fetch: try again on the next check, validate syntax only now
          return undefined as unknown as Loaded;
        },
      );
      this.docs.set(apiVersion, p);
    }
    return p;
  }

  kind(apiVersion: string, kind: string): Schema | null | undefined {
    const l = this.ready.get(apiVersion);
    if (l === null) return null;
    if (!l) return undefined;
    return l.byKind.get(kind) ?? null;
  }

  ref(apiVersion: string, ref: string): Schema | undefined {
    const l = this.ready.get(apiVersion);
    return ref.startsWith(PREFIX) ? l?.schemas[ref.slice(PREFIX.length)] : undefined;
  }
}
