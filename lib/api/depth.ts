// How deeply a request may nest objects and arrays. Kubernetes' decoders stop at 10,000 levels (Go's encoding/json
// maxNestingDepth, kept by sigs.k8s.io/json, and apimachinery's util/json maxDepth), which Go's growable stacks
// carry. V8's are fixed: structuredClone overflows near 1,900 levels, JSON.stringify near 4,100, and the yaml
// package near 640 (stringify) and 800 (parse); every component that copies, prints or stores an object would have
// to survive what the API server accepted. So Flotilla refuses bodies, and patch results, nested deeper than 400
// levels, with Kubernetes' wording. No Kubernetes object comes near it (a Deployment's pod template is ~10 deep).
export const MAX_NESTING_DEPTH = 400;

/**
 * The nesting depth of a JSON value (a scalar is 0, `{}` and `[]` are 1), counted without recursion; stops and
 * returns `limit + 1` as soon as the value is deeper than `limit`.
 */
export function valueDepth(value: unknown, limit = MAX_NESTING_DEPTH): number {
  if (typeof value !== 'object' || value === null) return 0;
  let max = 1;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (d > max) {
      max = d;
      if (max > limit) return limit + 1;
    }
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
  return max;
}
