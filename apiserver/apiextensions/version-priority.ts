// Kubernetes' version priority (the order discovery lists a group's versions in, the first being preferred): GA
// before beta before alpha, higher numbers first within each, then versions of any other form, alphabetically.
const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function rank(v: string): [tier: number, major: number, minor: number] | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const tier = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [tier, Number(m[1]), Number(m[3] ?? 0)];
}

/** A sort comparator: the preferred version first. */
export function byVersionPriority(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra && rb) return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
  if (ra) return -1;
  if (rb) return 1;
  return a.localeCompare(b);
}
