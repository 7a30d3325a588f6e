// How a flotilla component process ends: on SIGINT/SIGTERM it runs its stop once and exits; and when it runs under
// the supervisor (FLOTILLA_SUPERVISOR_PID set), it stops itself the same way as soon as the supervisor is gone, so
// that a SIGKILLed supervisor leaves no component behind. The supervisor also starts children with the kernel's
// parent-death signal (setpriv --pdeathsig) where available; this watch covers the case where the signal cannot be
// armed (no setpriv) or was lost (the supervisor died between fork and prctl).
import { logger } from '../lib/util/log.js';

const log = logger('flotilla');

let handler: ((sig: string) => void) | undefined;

/** Stops on SIGINT/SIGTERM (or the supervisor's death): runs stop once, then exits 0. */
export function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  handler = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal: sig });
    stop().catch((e: Error) => log.error('stop failed', { error: e.message })).finally(() => process.exit(0));
  };
  process.on('SIGINT', () => handler?.('SIGINT'));
  process.on('SIGTERM', () => handler?.('SIGTERM'));
}

/**
 * When started by the supervisor, checks every second that it is still our parent; once it is not (we were
 * re-parented to init or a subreaper), behaves as on SIGTERM.
 */
export function watchSupervisor(env: NodeJS.ProcessEnv = process.env): void {
  const supervisor = Number(env.FLOTILLA_SUPERVISOR_PID);
  if (!Number.isInteger(supervisor) || supervisor <= 0) return;
  const timer = setInterval(() => {
    if (process.ppid === supervisor) return;
    clearInterval(timer);
    log.warn('the supervisor is gone; stopping', { supervisor });
    if (handler) handler('supervisor-gone');
    else process.kill(process.pid, 'SIGTERM');
  }, 1000);
  timer.unref();
}
