// x-kubernetes-validations: CEL rules on a CRD schema node, evaluated with @marcbachmann/cel-js (a zero-dependency
// CEL implementation). Each rule sees the node's value as `self` and, on an update where the node existed before, its
// old value as `oldSelf`; a rule naming oldSelf (a transition rule) runs only then. A rule that is false gives one
// cause at the node (or at its fieldPath), `Invalid value: "<type>": <message>` with `failed rule: <rule>` when it
// has no message, as Kubernetes words it. Rules that do not compile refuse the CRD.
import { parse, type ParseResult } from '@marcbachmann/cel-js';
import { invalid, type CauseReason, type FieldCause } from '../validation/field.js';

type Node = Record<string, unknown>;
const isObj = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const REASONS: readonly CauseReason[] = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];

export interface CompiledRule {
  rule: string;
  program: ParseResult;
  message?: string;
  messageExpression?: ParseResult;
  fieldPath?: string;
  reason?: CauseReason;
  transition: boolean;
}

/** Compiles a node's rules; problems are returned as causes at `path` (the CRD's field), for the CRD's validation. */
export function compileRules(raw: unknown, path: string): { rules: CompiledRule[]; causes: FieldCause[] } {
  const rules: CompiledRule[] = [];
  const causes: FieldCause[] = [];
  if (!Array.isArray(raw)) {
    causes.push(invalid(path, typeof raw, 'must be a list of rules'));
    return { rules, causes };
  }
  raw.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(r) || typeof r.rule !== 'string' || !r.rule.trim()) {
      causes.push({ reason: 'FieldValueRequired', field: `${p}.rule`, message: 'Required value' });
      return;
    }
    let program: ParseResult;
    try {
      program = parse(r.rule);
    } catch (e) {
      causes.push(invalid(`${p}.rule`, r.rule, `compilation failed: ${(e as Error).message}`));
      return;
    }
    let messageExpression: ParseResult | undefined;
    if (typeof r.messageExpression === 'string') {
      try {
        messageExpression = parse(r.messageExpression);
      } catch (e) {
        causes.push(invalid(`${p}.messageExpression`, r.messageExpression, `messageExpression compilation failed: ${(e as Error).message}`));
        return;
      }
    }
    const reason = typeof r.reason === 'string' ? r.reason : undefined;
    if (reason !== undefined && !REASONS.includes(reason as CauseReason)) {
      causes.push({ reason: 'FieldValueNotSupported', field: `${p}.reason`, message: `Unsupported value: ${JSON.stringify(reason)}: supported values: ${REASONS.map((x) => JSON.stringify(x)).join(', ')}` });
      return;
    }
    rules.push({ rule: r.rule, program, message: typeof r.message === 'string' ? r.message : undefined, messageExpression,
      fieldPath: typeof r.fieldPath === 'string' ? r.fieldPath : undefined, reason: reason as CauseReason | undefined,
      transition: /\boldSelf\b/.test(r.rule) });
  });
  return { rules, causes };
}

/** The type name Kubernetes prints as the value of a failed rule's cause. */
function typeOf(schema: Node, v: unknown): string {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(v)) return 'array';
  return v === null ? 'null' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

const child = (path: string, k: string): string => (path ? `${path}.${k}` : k);

/** Every failed rule of the schema's nodes over the object (old: the stored object, on updates). */
export function ruleCauses(value: unknown, old: unknown, schema: Node, path: string, compiled: (s: Node) => CompiledRule[], out: FieldCause[]): void {
  if (value === undefined || value === null) return;
  for (const r of compiled(schema)) {
    if (r.transition && (old === undefined || old === null)) continue;
    let ok: unknown;
    try {
      ok = r.program(r.transition ? { self: value, oldSelf: old } : { self: value });
    } catch (e) {
      // Kubernetes: `no such key: tier evaluating rule: <rule>`
      const first = ((e as Error).message.split('\n')[0] ?? '').replace(/^No such key/, 'no such key');
      out.push(invalid(path, typeOf(schema, value), `${first} evaluating rule: ${r.rule}`));
      continue;
    }
    if (ok === true) continue;
    let message = r.message ?? `failed rule: ${r.rule}`;
    if (r.messageExpression) {
      try {
        const m = r.messageExpression(r.transition ? { self: value, oldSelf: old } : { self: value });
        if (typeof m === 'string' && m.trim()) message = m;
      } catch {
        /* Kubernetes falls back to message (or the rule) when messageExpression fails */
      }
    }
    const field = r.fieldPath ? `${path}${r.fieldPath.startsWith('[') ? '' : '.'}${r.fieldPath.replace(/^\./, '')}` : path;
    const cause = invalid(field, typeOf(schema, value), message);
    if (r.reason && r.reason !== 'FieldValueInvalid') cause.reason = r.reason;
    out.push(cause);
  }
  if (Array.isArray(value)) {
    const items = isObj(schema.items) ? schema.items : undefined;
    // list items have no correlated old value here: their transition rules don't run
    if (items) value.forEach((v, i) => ruleCauses(v, undefined, items, `${path}[${i}]`, compiled, out));
    return;
  }
  if (!isObj(value)) return;
  const props = isObj(schema.properties) ? (schema.properties as Record<string, Node>) : {};
  const oldObj = isObj(old) ? old : undefined;
  for (const [k, ps] of Object.entries(props)) ruleCauses(value[k], oldObj?.[k], ps, child(path, k), compiled, out);
  const additional = isObj(schema.additionalProperties) ? schema.additionalProperties : undefined;
  if (!additional) return;
  for (const k of Object.keys(value)) if (!Object.hasOwn(props, k)) ruleCauses(value[k], oldObj?.[k], additional, child(path, k), compiled, out);
}
