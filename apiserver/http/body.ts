// Reads a request body with a hard size limit (3 MiB, as Kubernetes): larger bodies are refused with 413 before
// they are buffered.
import type { IncomingMessage } from 'node:http';
import { errors } from '../errors.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function bodyReader(req: IncomingMessage, limit = MAX_BODY_BYTES): () => Promise<Buffer> {
  let p: Promise<Buffer> | undefined;
  return () => {
    p ??= new Promise<Buffer>((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? '0');
      if (declared > limit) {
        req.resume();
        reject(errors.tooLarge(limit));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      req.on('data', (c: Buffer) => {
        if (failed) return;
        size += c.length;
        if (size > limit) {
          failed = true;
          reject(errors.tooLarge(limit));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
      req.on('error', (e) => !failed && reject(errors.badRequest(`error reading the request body: ${e.message}`)));
    });
    return p;
  };
}
