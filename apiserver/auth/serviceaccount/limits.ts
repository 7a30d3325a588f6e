// The shortest token a TokenRequest or a pod's serviceAccountToken projection may ask for: Kubernetes' 10 minutes.
// Only tests lower it (the API server's --testing-min-token-expiration), to see a node agent rotate a token within a
// test's time; nothing else changes it.
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;

let minSeconds = MIN_TOKEN_EXPIRATION_SECONDS;

export function minTokenExpirationSeconds(): number {
  return minSeconds;
}

/** For tests only (see above). */
export function setMinTokenExpirationForTesting(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`the minimum token expiration must be a positive number of seconds (got ${seconds})`);
  minSeconds = seconds;
}

/** The message Kubernetes gives for a shorter one (`may not specify a duration less than 10 minutes`). */
export function tooShortMessage(): string {
  return minSeconds === MIN_TOKEN_EXPIRATION_SECONDS ? 'may not specify a duration less than 10 minutes' : `may not specify a duration less than ${minSeconds} seconds`;
}
