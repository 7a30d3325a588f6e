// Reading and writing object members by a key that came from a request. The JSON and YAML decoders give a body's
// `__proto__`, `constructor` or `toString` key its own data member, as Go's maps would hold it; but `o[k]` reads an
// inherited member when `o` has none of its own (`o.constructor` is Object, `o.__proto__` is Object.prototype), and
// `o[k] = v` with k = "__proto__" replaces the prototype instead of storing a member. Code that copies keys from a
// request into objects goes through these, so every key is an ordinary key (a ConfigMap may hold `__proto__`).

export type Members = Record<string, unknown>;

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** o[key] when o has that member itself; undefined otherwise (never an inherited member). */
export function getOwn<T>(o: Readonly<Record<string, T>>, key: string): T | undefined {
  return hasOwn(o, key) ? o[key] : undefined;
}

/** Stores a data member named key, even "__proto__" (which plain assignment would treat as the prototype). */
export function setOwn<T>(o: Record<string, T>, key: string, value: NoInfer<T>): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}
