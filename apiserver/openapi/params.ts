// The parameters of API operations, described as OpenAPI v3 parameter objects.

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'boolean' | 'integer'; uniqueItems: true };
}

const q = (name: string, description: string, type: Parameter['schema']['type'] = 'string'): Parameter =>
  ({ name, in: 'query', description, schema: { type, uniqueItems: true } });

export const pathName = (kind: string): Parameter =>
  ({ name: 'name', in: 'path', required: true, description: `name of the ${kind}`, schema: { type: 'string', uniqueItems: true } });
export const pathNamespace: Parameter =
  { name: 'namespace', in: 'path', required: true, description: 'object name and auth scope, such as for teams and projects', schema: { type: 'string', uniqueItems: true } };

export const pretty = q('pretty', "If 'true', the output is pretty printed.");
export const dryRun = q('dryRun', 'When present, the request is fully processed but not persisted. The only valid value is All.');
export const fieldManager = q('fieldManager', 'Name of the actor or entity making the change; at most 128 printable characters.');
export const fieldValidation = q('fieldValidation',
  'How the server treats fields of the request body it does not know (and duplicate fields): Ignore drops them silently, Warn drops them and returns a Warning header for each (the default), Strict rejects the request with a BadRequest error listing them.');
export const force = q('force', 'Force an Apply request, taking over fields other managers own. Must be unset for other patch types.', 'boolean');
export const gracePeriodSeconds = q('gracePeriodSeconds', 'Seconds before the object is deleted; zero deletes immediately. Defaults to the kind\'s own grace period.', 'integer');
export const ignoreStoreReadError = q('ignoreStoreReadErrorWithClusterBreakingPotential', 'Delete an object that cannot be read back from storage. Dangerous.', 'boolean');
export const orphanDependents = q('orphanDependents', 'Deprecated: use propagationPolicy. Whether dependents are orphaned.', 'boolean');
export const propagationPolicy = q('propagationPolicy', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.');

export const listParams: Parameter[] = [
  q('allowWatchBookmarks', 'Ask for BOOKMARK events on a watch. The server may ignore the request.', 'boolean'),
  q('continue', 'Token from a previous, limited list call, to get the next page.'),
  q('fieldSelector', 'Restrict the returned objects by their fields. Defaults to everything.'),
  q('labelSelector', 'Restrict the returned objects by their labels. Defaults to everything.'),
  q('limit', 'Maximum number of items to return; a continue token is returned when more exist.', 'integer'),
  q('resourceVersion', 'Constrains which resource versions the request may be served from.'),
  q('resourceVersionMatch', 'How resourceVersion applies to a list call: Exact or NotOlderThan.'),
  q('sendInitialEvents', 'With watch=true, start the watch with synthetic ADDED events for the current state, then a bookmark.', 'boolean'),
  q('timeoutSeconds', 'Timeout of the list or watch call, in seconds.', 'integer'),
  q('watch', 'Watch for changes to the described resources and stream them as add, update and remove notifications.', 'boolean'),
];

export const writeParams: Parameter[] = [dryRun, fieldManager, fieldValidation];
export const patchParams: Parameter[] = [dryRun, fieldManager, fieldValidation, force];
export const deleteParams: Parameter[] = [dryRun, gracePeriodSeconds, ignoreStoreReadError, orphanDependents, propagationPolicy];
