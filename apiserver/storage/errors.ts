// What a client sees when etcd itself fails: etcd being down or restarting is a 503 (retry), a call that ran out of
// time is a 504, never a 500 carrying the etcd client's internals ("circuit breaker is open").
import { GRPCDeadlineExceededError, GRPCResourceExhastedError, GRPCUnavailableError, ClientClosedError, GRPCCancelledError } from 'etcd3';
import { ApiError, errors } from '../errors.js';

/**
 * The etcd3 client guards each etcd endpoint with a circuit breaker (cockatiel's): after a few failed calls it stops
 * calling for a moment and rejects with a BrokenCircuitError instead. cockatiel marks those errors with this field.
 */
export function isBrokenCircuit(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true;
}

/** Errors that mean "etcd can't be reached right now" rather than "this request is wrong". */
export function isUnavailable(e: unknown): boolean {
  return isBrokenCircuit(e) || e instanceof GRPCUnavailableError || e instanceof GRPCCancelledError || e instanceof ClientClosedError;
}

export function isResourceExhausted(e: unknown): boolean {
  return e instanceof GRPCResourceExhastedError || (e instanceof Error && /RESOURCE_EXHAUSTED/.test(e.message));
}

/** Turns an etcd client error into the Status a client should see; anything else passes through unchanged. */
export function storageError(e: unknown, endpoints: string[]): unknown {
  if (e instanceof ApiError) return e;
  const where = endpoints.join(',');
  if (isBrokenCircuit(e)) {
    return retryable(errors.unavailable(`storage is unavailable: etcd at ${where} failed repeatedly and is not being called for a moment; retry shortly`));
  }
  if (e instanceof ClientClosedError) return retryable(errors.unavailable('storage is unavailable: the API server is shutting down'));
  if (e instanceof GRPCUnavailableError || e instanceof GRPCCancelledError) {
    return retryable(errors.unavailable(`storage is unavailable: etcd at ${where} does not answer (${grpcReason(e as Error)}); retry shortly`));
  }
  if (e instanceof GRPCDeadlineExceededError) return retryable(errors.timeout(`storage did not answer in time: etcd at ${where}: ${grpcReason(e)}`));
  return e;
}

function retryable(e: ApiError): ApiError {
  e.details = { ...(e.details ?? {}), retryAfterSeconds: 1 };
  return e;
}

/** "14 UNAVAILABLE: No connection established" -> "No connection established". */
function grpcReason(e: Error): string {
  return e.message.replace(/^\w+Error:\s*/, '').replace(/^\d+ [A-Z_]+:\s*/, '');
}
