// The static token file (`--token-auth-file`), as Kubernetes reads it: CSV lines `token,user,uid[,"group1,group2"]`.
// A line with fewer than three columns is an error (the server does not start); an empty token is skipped.
import { readFileSync } from 'node:fs';
import { logger } from '../../lib/util/log.js';
import type { AuthResponse, TokenAuthenticator } from './index.js';

const log = logger('apiserver');

export class TokenFileAuthenticator implements TokenAuthenticator {
  private constructor(private readonly tokens: Map<string, AuthResponse>) {}

  static fromFile(path: string): TokenFileAuthenticator {
    return TokenFileAuthenticator.parse(readFileSync(path, 'utf8'), path);
  }

  static parse(text: string, path = 'tokens'): TokenFileAuthenticator {
    const tokens = new Map<string, AuthResponse>();
    const records = parseCsv(text.replace(/^\uFEFF/, ''));
    records.forEach((record, i) => {
      if (record.length < 3) throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
      const [token, username, uid, groups] = record as [string, string, string, string | undefined];
      if (!token) {
        log.warn('empty token in the token file', { path, record: i + 1 });
        return;
      }
      if (tokens.has(token)) log.warn('duplicate token in the token file; the last one wins', { path, record: i + 1 });
      tokens.set(token, { user: { username, uid, groups: groups !== undefined ? groups.split(',') : [] } });
    });
    return new TokenFileAuthenticator(tokens);
  }

  async authenticateToken(token: string): Promise<AuthResponse | undefined> {
    return this.tokens.get(token);
  }

  get size(): number {
    return this.tokens.size;
  }
}

/** RFC 4180 CSV (as Go's encoding/csv reads it): quoted fields, "" inside quotes, CRLF or LF; blank lines skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let started = false; // the row has content (a blank line is no record)
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      started = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      started = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (started || field) {
        row.push(field);
        rows.push(row);
      }
      row = [];
      field = '';
      started = false;
    } else {
      field += c;
      started = true;
    }
  }
  if (quoted) throw new Error('extraneous or missing " in quoted-field');
  if (started || field) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
