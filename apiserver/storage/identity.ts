// A cluster's identity: a random token stored in its etcd under one key at first start. The embedded etcd compares
// it with the one its data dir recorded before serving, and every write the API server makes compares it inside the
// write's own transaction, so no object can ever land in another cluster's etcd (say one that took over our etcd's
// port while ours was restarting).
import type { Etcd3 } from 'etcd3';

export const IDENTITY_KEY = '/flotilla/cluster-identity';

/** The identity stored in this etcd, if any. */
export async function readIdentity(client: Etcd3): Promise<string | undefined> {
  const v = await client.get(IDENTITY_KEY).string();
  return v ?? undefined;
}

/** Stores candidate as this etcd's identity unless one is there already; returns the one that is stored now. */
export async function claimIdentity(client: Etcd3, candidate: string): Promise<string> {
  const res = await client.if(IDENTITY_KEY, 'Create', '==', 0).then(client.put(IDENTITY_KEY).value(candidate)).else(client.get(IDENTITY_KEY)).commit();
  if (res.succeeded) return candidate;
  const kv = res.responses[0]?.response_range?.kvs[0];
  if (!kv) throw new Error(`etcd lost ${IDENTITY_KEY} while it was being claimed`);
  return kv.value.toString('utf8');
}
