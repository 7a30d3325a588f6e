// For tests: a snapshot of the built-in prototypes a hostile `__proto__` / `constructor.prototype` key would write
// to, so a test can prove that decoding or patching left them exactly as they were.

const WATCHED: ReadonlyArray<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
  ['Boolean.prototype', Boolean.prototype],
];

function describe(o: object): string {
  return Reflect.ownKeys(o).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor;
    const what = 'value' in d ? typeof d.value : 'accessor';
    return `${String(k)}:${what}:${d.writable}:${d.enumerable}:${d.configurable}`;
  }).sort().join('|') + `|proto=${Object.getPrototypeOf(o) === null ? 'null' : 'set'}`;
}

export interface PrototypeSnapshot {
  /** Names of the prototypes that differ from the snapshot ([] when none was touched). */
  changed(): string[];
  /** Deletes members added since the snapshot, so one polluting input does not fail every later test case. */
  restore(): void;
}

export function snapshotPrototypes(): PrototypeSnapshot {
  const before = WATCHED.map(([name, o]) => [name, describe(o), new Set(Reflect.ownKeys(o))] as const);
  return {
    changed: () => before.filter(([, text], i) => describe((WATCHED[i] as [string, object])[1]) !== text).map(([name]) => name),
    restore: () => {
      WATCHED.forEach(([, o], i) => {
        const keys = (before[i] as (typeof before)[number])[2];
        for (const k of Reflect.ownKeys(o)) if (!keys.has(k)) delete (o as Record<PropertyKey, unknown>)[k];
      });
    },
  };
}

/** Members a polluted Object.prototype would show on every fresh object. */
export function inheritedOnFreshObject(): string[] {
  const probe: Record<string, unknown> = {};
  const out: string[] = [];
  for (const k in probe) out.push(k); // for..in walks inherited enumerable members
  return out;
}
