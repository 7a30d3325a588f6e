// Service account issuer discovery: /.well-known/openid-configuration and /openid/v1/jwks, the documents an
// outside party (a cloud's workload identity, a service mesh) reads to check our tokens without calling us.
import { exportJWK } from 'jose';
import type { PublicKey } from './keys.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

export interface DiscoveryDocument {
  contentType: string;
  body: string;
}

/**
 * The two documents, keyed by path. Kubernetes serves them only when the issuer is an https URL (the discovery
 * spec's requirement); jwksUri defaults to the issuer's own /openid/v1/jwks.
 */
export async function issuerDiscovery(issuer: string, keys: PublicKey[], jwksUri?: string): Promise<Record<string, DiscoveryDocument>> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return {};
  }
  if (url.protocol !== 'https:') return {};
  const config = {
    issuer,
    jwks_uri: jwksUri ?? `${issuer.replace(/\/$/, '')}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(keys.map((k) => k.alg))].sort(),
  };
  const seen = new Set<string>();
  const jwks = [];
  for (const k of keys) {
    if (seen.has(k.kid)) continue;
    seen.add(k.kid);
    jwks.push({ use: 'sig', ...(await exportJWK(k.key)), kid: k.kid, alg: k.alg });
  }
  return {
    [OPENID_CONFIGURATION_PATH]: { contentType: 'application/json', body: JSON.stringify(config) },
    [JWKS_PATH]: { contentType: 'application/jwk-set+json', body: JSON.stringify({ keys: jwks }) },
  };
}
