// Compiles the type validator of every built-in schema component ahead of time, with ajv's standalone code
// generation, into dist/validators/components.cjs (apiserver/validation/structural.ts loads it). ajv compiling the
// Pod's validator alone takes about 0.7 s of CPU; an API server paid that, and about as much again for the other
// kinds, on the first requests after every start. The file carries a hash of the schemas it was compiled from: a
// process whose schemas differ (a build older than the code) compiles its own on first use instead.
// Plain JavaScript: it runs after `tsc -p .`, before the bundles.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { AJV_OPTIONS, PRECOMPILED_PATH, componentRef, componentsDocument } = await import(join(root, 'dist/apiserver/validation/structural.js'));
const { components } = await import(join(root, 'dist/lib/api/schema/index.js'));

const { schema, hash } = componentsDocument();
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
ajv.addSchema(schema);
const names = Object.keys(components());
const code = (standalone.default ?? standalone)(ajv, Object.fromEntries(names.map((n, i) => [`v${i}`, componentRef(n)])));
const out = join(root, PRECOMPILED_PATH);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${code}\nexports.hash = ${JSON.stringify(hash)};\nexports.names = ${JSON.stringify(names)};\n`);
