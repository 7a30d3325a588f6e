// The agent server's errors: an HTTP status with a message, answered as a Kubernetes Status (as the kubelet does),
// which the API server passes on and clients print as "Error from server".
import type { Status } from '../../lib/api/types.js';

export class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function status(code: number, message: string): Status {
  const reason = code === 404 ? 'NotFound' : code === 400 ? 'BadRequest' : code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : 'InternalError';
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** The request URL with its path segments checked: malformed input is the client's error (400), not ours. */
export function parseUrl(raw: string | undefined): URL {
  try {
    const url = new URL(raw ?? '/', 'http://agent');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    throw new HttpError(400, `malformed request path ${JSON.stringify(raw ?? '')}`);
  }
}
