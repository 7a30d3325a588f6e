// A compose-file error: which file, which line, which service. `up` reports it before anything is sent.
import { CliError } from '../context.js';

export interface Where {
  file: string;
  line?: number;
  service?: string;
}

export class ComposeError extends CliError {
  constructor(readonly where: Where, readonly why: string) {
    super(`error: ${where.file}${where.line ? `:${where.line}` : ''}: ${where.service ? `service "${where.service}": ` : ''}${why}`);
  }
}
