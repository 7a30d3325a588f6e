// API errors: every failure that reaches a client is a Kubernetes Status object with the code, reason and wording
// Kubernetes uses, so clients' IsNotFound/IsConflict/... checks behave the same against Flotilla.
import type { Status, StatusCause, StatusDetails } from '../lib/api/types.js';
import type { KindInfo } from '../lib/api/kinds.js';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    public details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** `deployments.apps` or `pods`: how Kubernetes names a resource in messages. */
export function qualifiedResource(k: Pick<KindInfo, 'group' | 'resource'>): string {
  return k.group ? `${k.resource}.${k.group}` : k.resource;
}

const details = (k: Pick<KindInfo, 'group' | 'resource'>, name: string): StatusDetails => {
  const d: StatusDetails = { name, kind: k.resource };
  if (k.group) d.group = k.group;
  return d;
};

export const errors = {
  notFound: (k: Pick<KindInfo, 'group' | 'resource'>, name: string) =>
    new ApiError(404, 'NotFound', `${qualifiedResource(k)} "${name}" not found`, details(k, name)),
  alreadyExists: (k: Pick<KindInfo, 'group' | 'resource'>, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualifiedResource(k)} "${name}" already exists`, details(k, name)),
  conflict: (k: Pick<KindInfo, 'group' | 'resource'>, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(k)} "${name}": ${why}`, details(k, name)),
  invalid: (k: Pick<KindInfo, 'group' | 'kind'>, name: string, message: string, causes: StatusCause[]) => {
    const d: StatusDetails = { name, kind: k.kind, causes };
    if (k.group) d.group = k.group;
    return new ApiError(422, 'Invalid', message, d);
  },
  badRequest: (message: string, causes?: StatusCause[]) => new ApiError(400, 'BadRequest', message, causes ? { causes } : undefined),
  forbidden: (message: string, d?: StatusDetails) => new ApiError(403, 'Forbidden', message, d),
  resourceNotFound: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}),
  methodNotAllowed: () => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  notAcceptable: (message: string) => new ApiError(406, 'NotAcceptable', message),
  gone: (message: string) => new ApiError(410, 'Expired', message),
  tooLarge: (limit: number) => new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  unsupportedMediaType: (type: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${type})`),
  timeout: (message: string) => new ApiError(504, 'Timeout', message),
  unavailable: (message: string) => new ApiError(503, 'ServiceUnavailable', message),
  internal: (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
};

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return errors.internal(msg);
}
