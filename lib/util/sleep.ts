/** Resolves after `ms`, or at once when `signal` aborts (never rejects: the caller checks the signal). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise<void>((resolve) => {
  if (signal?.aborted) return resolve();
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => {
    clearTimeout(t);
    resolve();
  }, { once: true });
});
