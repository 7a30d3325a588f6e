// The worker thread that builds /openapi/v2's bodies (v2-offthread.ts): the Swagger document from the v3 documents,
// its JSON text and protobuf form, the ETag and both gzipped forms. About a second of CPU on the first request for it;
// on the event loop that stalled every other request and TLS handshake (kubectl gives up on a handshake after 10 s on
// a loaded machine).
import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { OpenAPIV3Document } from './index.js';
import { swaggerBodies } from './v2.js';

const { docs } = workerData as { docs: OpenAPIV3Document[] };
const b = swaggerBodies(docs);
const out = { json: b.json, proto: b.proto, etag: b.etag, jsonGzip: gzipSync(b.json), protoGzip: gzipSync(b.proto) };
parentPort?.postMessage(out, [out.json.buffer, out.proto.buffer, out.jsonGzip.buffer, out.protoGzip.buffer] as ArrayBuffer[]);
