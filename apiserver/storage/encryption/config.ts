// --encryption-provider-config: Kubernetes' EncryptionConfiguration (apiserver.config.k8s.io/v1). Each entry names
// resources (`secrets`, `deployments.apps`, `*.apps`, `*.*`) and providers in order: the first writes, all read.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { aescbc, aesgcm, identity, secretbox, type ValueProvider } from './providers.js';

export interface ResourceEncryption {
  /** Resource names as written: `secrets`, `configmaps`, `deployments.apps`, `*.apps`, `*.`, `*.*`. */
  resources: string[];
  providers: ValueProvider[];
}

type Raw = Record<string, unknown>;

export function loadEncryptionConfig(path: string): ResourceEncryption[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`error reading encryption provider configuration file "${path}": ${(e as Error).message}`);
  }
  return parseEncryptionConfig(doc, path);
}

export function parseEncryptionConfig(doc: unknown, source = 'config'): ResourceEncryption[] {
  const fail = (m: string): never => {
    throw new Error(`error while parsing encryption provider configuration file "${source}": ${m}`);
  };
  const d = (doc ?? {}) as Raw;
  if (d.kind !== 'EncryptionConfiguration') fail(`kind must be "EncryptionConfiguration", not ${JSON.stringify(d.kind)}`);
  if (d.apiVersion !== 'apiserver.config.k8s.io/v1') fail(`apiVersion must be "apiserver.config.k8s.io/v1", not ${JSON.stringify(d.apiVersion)}`);
  if (!Array.isArray(d.resources) || !d.resources.length) fail('resources: Required value: at least one resource is required');
  const seen = new Set<string>();
  return (d.resources as Raw[]).map((entry, i) => {
    const f = `resources[${i}]`;
    const names = entry?.resources;
    if (!Array.isArray(names) || !names.length || names.some((n) => typeof n !== 'string' || !n)) fail(`${f}.resources: Required value: at least one resource name is required`);
    for (const n of names as string[]) {
      if (n !== n.toLowerCase()) fail(`${f}.resources: Invalid value: ${JSON.stringify(n)}: resource name must be lowercase`);
      if (seen.has(n)) fail(`${f}.resources: Duplicate value: ${JSON.stringify(n)}`);
      seen.add(n);
    }
    const providers = entry?.providers;
    if (!Array.isArray(providers) || !providers.length) fail(`${f}.providers: Required value: at least one provider is required`);
    const out: ValueProvider[] = [];
    (providers as Raw[]).forEach((p, j) => {
      const pf = `${f}.providers[${j}]`;
      const types = Object.keys(p ?? {});
      if (types.length !== 1) fail(`${pf}: Invalid value: exactly one provider type must be given, found ${types.length ? types.join(', ') : 'none'}`);
      const type = types[0] as string;
      if (type === 'identity') return void out.push(identity);
      const make = type === 'aesgcm' ? aesgcm : type === 'aescbc' ? aescbc : type === 'secretbox' ? secretbox : undefined;
      if (!make) return fail(`${pf}: Unsupported value: ${JSON.stringify(type)}: supported values: "aesgcm", "aescbc", "secretbox", "identity"`);
      const keys = (p[type] as Raw | undefined)?.keys;
      if (!Array.isArray(keys) || !keys.length) fail(`${pf}.${type}.keys: Required value: at least one key is required`);
      const names = new Set<string>();
      (keys as Raw[]).forEach((k, n) => {
        const kf = `${pf}.${type}.keys[${n}]`;
        const name = k?.name;
        if (typeof name !== 'string' || !name) fail(`${kf}.name: Required value: key name is required`);
        if ((name as string).includes(':')) fail(`${kf}.name: Invalid value: ${JSON.stringify(name)}: key name must not contain ":"`);
        if (names.has(name as string)) fail(`${kf}.name: Duplicate value: ${JSON.stringify(name)}`);
        names.add(name as string);
        const secret = k?.secret;
        if (typeof secret !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) fail(`${kf}.secret: Invalid value: secrets must be base64 encoded`);
        try {
          out.push(make(name as string, Buffer.from(secret as string, 'base64')));
        } catch (e) {
          fail(`${kf}.secret: Invalid value: ${(e as Error).message}`);
        }
      });
    });
    return { resources: names as string[], providers: out };
  });
}

/** What `flotilla up` writes on first start: Secrets under a new random AES-GCM key, plain ones still readable. */
export function defaultEncryptionConfig(): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      # the first provider writes, every one reads. To rotate: put a new key first, restart the API server, then
      # rewrite every Secret ("flotilla rotate-secrets", or kubectl get secrets -A -o json | kubectl replace -f -)
      - aesgcm:
          keys:
            - name: key1
              secret: ${randomBytes(32).toString('base64')}
      # Secrets written before encryption was on
      - identity: {}
`;
}
