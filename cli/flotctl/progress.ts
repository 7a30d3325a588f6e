// A live progress line for long waits (rollout status, wait, delete --wait). On a TTY one line is rewritten in place;
// elsewhere each distinct line is printed once, as kubectl prints its "Waiting for ..." lines.
import { isTTY } from './style.js';

export class Progress {
  private last = '';
  private shown = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {}

  /** Shows the current state; repeated identical lines are printed once. */
  update(line: string): void {
    if (line === this.last) return;
    this.last = line;
    if (isTTY(this.stream)) {
      this.stream.write(`\r\x1b[K${line}`);
      this.shown = true;
    } else {
      this.stream.write(line + '\n');
    }
  }

  /** Clears the live line (on a TTY) and prints the final message, if any, on its own line. */
  done(final?: string): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
    if (final !== undefined) this.stream.write(final + '\n');
  }
}
