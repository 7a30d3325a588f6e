// Boolean query parameters (`?watch=true`, `?follow`, `?stdout=True`) read the way Kubernetes' parameter codec
// reads them into ListOptions, PodLogOptions, PodExecOptions and DeleteOptions: an absent parameter is unset, the
// values "0" and "false" (in any letter case) are false, and every other value is true, the empty one included.
// So the official Python client's `watch=True`/`stdin=False` work, and so does curl's `?watch`.
//
// Not Go's strconv.ParseBool: Kubernetes never refuses a boolean query parameter; `?watch=yes` and `?watch` start a
// watch on a real cluster, and clients written against one expect that.

/** A boolean query value: undefined when absent, false for "0"/"false" (any case), true otherwise. */
export function parseBool(value: string | null | undefined): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  return !(value === '0' || value.toLowerCase() === 'false');
}

/** The first value of a boolean query parameter; false when it is absent. */
export function queryBool(query: URLSearchParams, name: string): boolean {
  return parseBool(query.get(name)) ?? false;
}

/** The first value of an optional boolean query parameter (a `*bool` in Kubernetes' options): undefined when absent. */
export function optionalQueryBool(query: URLSearchParams, name: string): boolean | undefined {
  return parseBool(query.get(name));
}
