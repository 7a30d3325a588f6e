// The compose-spec JSON Schema, as the dclint package ships it (the schema docker compose validates with), checked
// with ajv; each error is worded with the file, the line of the offending key and the service it belongs to.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ComposeError } from './errors.js';
import type { ParsedFile } from './parse.js';

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (validator) return validator;
  // dclint's exports map hides the file from import(); its location beside package.json is part of the package
  const pkg = createRequire(import.meta.url).resolve('dclint/package.json');
  const schema = JSON.parse(readFileSync(join(dirname(pkg), 'schemas', 'compose.schema.json'), 'utf8')) as Record<string, unknown>;
  // the file names draft-07 by an https URL ajv does not know under that spelling; draft-07 is ajv's own default
  delete schema.$schema;
  // strict off: the schema uses keywords (deprecated, patternProperties with x-) ajv's strict mode frowns on
  const ajv = new Ajv({ strict: false, allErrors: false });
  validator = ajv.compile(schema);
  return validator;
}

const pathOf = (instancePath: string) =>
  instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));

function explain(e: ErrorObject): string {
  const at = pathOf(e.instancePath).join('.');
  switch (e.keyword) {
    case 'additionalProperties':
      return `${at ? `${at}: ` : ''}additional property ${String((e.params as { additionalProperty: string }).additionalProperty)} is not allowed`;
    case 'type':
      return `${at}: must be a ${String((e.params as { type: string }).type)}`;
    case 'enum':
      return `${at}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${at ? `${at}: ` : ''}${e.message ?? 'is invalid'}`;
  }
}

/** Throws the first schema error of the file (ajv's first is the one nearest the top of the document). */
export function validateFile(f: ParsedFile): void {
  const v = schemaValidator();
  if (v(f.data)) return;
  const errs = v.errors ?? [];
  // oneOf branches report noise; the most specific (deepest) non-oneOf error says what is wrong
  const best = [...errs].filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf').sort((a, b) => b.instancePath.length - a.instancePath.length)[0] ?? errs[0];
  if (!best) return;
  const path = pathOf(best.instancePath);
  if (best.keyword === 'additionalProperties') path.push((best.params as { additionalProperty: string }).additionalProperty);
  const service = path[0] === 'services' && typeof path[1] === 'string' ? path[1] : undefined;
  throw new ComposeError({ file: f.file, line: f.lineOf(path), service }, explain(best));
}
