// The checks Kubernetes makes on the list options of a list, watch or deletecollection before serving it
// (apimachinery's ValidateListOptions, with the WatchList feature on, as in Kubernetes 1.32): which combinations of
// resourceVersionMatch, resourceVersion, continue and sendInitialEvents make sense. A bad combination is a 422
// Invalid on ListOptions.meta.k8s.io naming every problem, and nothing is read.
//
// allowWatchBookmarks is deliberately not required with sendInitialEvents: Kubernetes accepts that (requiring it would
// break clients that asked for initial events before watch-list existed); such a watch simply gets no bookmark.
import { optionalQueryBool } from '../../lib/api/query.js';
import { errors } from '../errors.js';
import { formatInvalidMessage } from '../validation/index.js';
import { forbidden, notSupported, type FieldCause } from '../validation/field.js';

const NOT_OLDER_THAN = 'NotOlderThan';
const EXACT = 'Exact';

/** The problems of a request's list options; `watch` for a watch (`?watch=true` or a /watch/ path). */
export function listOptionsCauses(q: URLSearchParams, watch: boolean): FieldCause[] {
  const match = q.get('resourceVersionMatch') ?? '';
  const resourceVersion = q.get('resourceVersion') ?? '';
  const cont = q.get('continue') ?? '';
  const sendInitialEvents = optionalQueryBool(q, 'sendInitialEvents');
  const causes: FieldCause[] = [];
  if (watch) {
    if (sendInitialEvents !== undefined && match !== NOT_OLDER_THAN) {
      causes.push(forbidden('resourceVersionMatch', `sendInitialEvents requires setting resourceVersionMatch to ${NOT_OLDER_THAN}`));
    }
    if (match) {
      if (sendInitialEvents === undefined) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== NOT_OLDER_THAN) causes.push(notSupported('resourceVersionMatch', match, [NOT_OLDER_THAN]));
      if (cont) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return causes;
  }
  if (match) {
    if (!resourceVersion) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (cont) causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== EXACT && match !== NOT_OLDER_THAN) causes.push(notSupported('resourceVersionMatch', match, [EXACT, NOT_OLDER_THAN, '']));
    if (match === EXACT && resourceVersion === '0') causes.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (sendInitialEvents !== undefined) causes.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return causes;
}

/** Throws Kubernetes' 422 (`ListOptions.meta.k8s.io "" is invalid: ...`) when the list options don't fit together. */
export function validateListOptions(q: URLSearchParams, watch: boolean): void {
  const causes = listOptionsCauses(q, watch);
  if (!causes.length) return;
  throw errors.invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', formatInvalidMessage('ListOptions.meta.k8s.io', '', causes), causes);
}
