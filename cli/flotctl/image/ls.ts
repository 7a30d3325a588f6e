// `flotctl image ls`: the registry's repositories and tags with their digests, as `docker images --digests` shows
// them (REPOSITORY is the full name a pod's image field takes).
import { tabwrite } from '../tabwriter.js';
import { digestOf, repositories, tagsOf, type Registry } from './registry.js';

/** At most this many requests to the registry at once. */
const PARALLEL = 8;

async function inParallel<T, R>(items: T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }));
  return out;
}

export interface ImageRow { repository: string; tag: string; digest: string }

export async function listImages(r: Registry): Promise<ImageRow[]> {
  const repos = (await repositories(r)).sort();
  const tagged = await inParallel(repos, async (repo) => ({ repo, tags: (await tagsOf(r, repo)).sort() }));
  const pairs = tagged.flatMap(({ repo, tags }) => tags.map((tag) => ({ repo, tag })));
  const digests = await inParallel(pairs, ({ repo, tag }) => digestOf(r, repo, tag));
  // a tag deleted between the list and the HEAD is left out
  return pairs.flatMap(({ repo, tag }, i) => (digests[i] ? [{ repository: `${r.host}/${repo}`, tag, digest: digests[i] as string }] : []));
}

export function imagesTable(rows: ImageRow[]): string {
  return tabwrite([['REPOSITORY', 'TAG', 'DIGEST'], ...rows.map((x) => [x.repository, x.tag, x.digest])]);
}
