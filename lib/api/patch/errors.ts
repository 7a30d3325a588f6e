/** A patch that can't be applied: code 400 for a malformed patch, 422 when a well-formed patch fails on this object. */
export class PatchError extends Error {
  constructor(message: string, readonly code: 400 | 422 = 422) {
    super(message);
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
