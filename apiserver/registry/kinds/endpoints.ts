// Endpoints (core/v1): the addresses and ports behind a Service, written by the endpoints controller or by hand.
import { AGE, NAME, age } from '../../printers/columns.js';
import { setDefault } from '../../validation/defaults.js';
import { objects, type Obj } from '../../validation/field.js';
import { validateEndpoints } from '../../validation/service.js';
import { defineKind, identity } from '../kind.js';

export default defineKind(identity('v1', 'Endpoints'), {
  defaults(obj: Obj) {
    for (const [ss] of objects(obj.subsets)) for (const [p] of objects(ss.ports)) setDefault(p, 'protocol', 'TCP');
  },
  validate: validateEndpoints,
  printer: {
    columns: [NAME, ['Endpoints', 'string', 0, 'Addresses and ports.'], AGE],
    row(o, now) {
      const eps: string[] = [];
      for (const s of (o.subsets ?? []) as Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }>) {
        for (const a of s.addresses ?? []) for (const p of s.ports?.length ? s.ports : [undefined]) eps.push(p ? `${a.ip}:${p.port}` : a.ip);
      }
      const cell = eps.length > 3 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',');
      return [o.metadata.name ?? '', cell || '<none>', age(o.metadata.creationTimestamp, now)];
    },
  },
});
