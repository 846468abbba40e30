/**
 * Options are read once. A caller's options object can have getters (or be a Proxy) that answer differently on every
 * read, so a value checked on one read and used on another is not the value that was checked (a `clientSecret` getter
 * that returns a harmless string to the access-key check and the key to the credential). The factory and
 * `checkPosture` therefore take a snapshot first and check and use only the snapshot.
 */

/** Most prototypes above an options object whose (inherited) properties are read. */
const MAX_PROTOTYPES = 8;

/**
 * A plain-object copy of `value` in which every property was read exactly once: own properties (string and Symbol
 * keys; enumerable ones stay enumerable, others are copied as non-enumerable so the connection-string walk still sees
 * them) by their descriptor (a getter is called once), then string-keyed properties inherited from a class or
 * prototype (read once through `value`). Getters and Proxy traps are not called again: the copy holds plain values.
 *
 * A throwing getter of an own enumerable property throws (as reading the option would have); any other throwing
 * property is left out.
 */
export function snapshotOwn<T extends object>(value: T): T {
  const copy: Record<string | symbol, unknown> = {};
  const define = (key: string | symbol, v: unknown, enumerable: boolean) =>
    Object.defineProperty(copy, key, { value: v, enumerable, writable: true, configurable: true });
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) continue;
    const enumerable = descriptor.enumerable === true;
    let v: unknown;
    try {
      v = "value" in descriptor ? descriptor.value : descriptor.get?.call(value);
    } catch (error) {
      if (enumerable) throw error;
      continue;
    }
    define(key, v, enumerable);
  }
  let proto: unknown = Reflect.getPrototypeOf(value);
  for (
    let level = 0;
    level < MAX_PROTOTYPES && typeof proto === "object" && proto !== null && proto !== Object.prototype;
    level++
  ) {
    for (const key of Reflect.ownKeys(proto)) {
      if (typeof key !== "string" || key === "constructor" || Object.prototype.hasOwnProperty.call(copy, key)) continue;
      try {
        define(key, Reflect.get(proto, key, value), true);
      } catch {
        // an inherited property that cannot be read is not an option
      }
    }
    proto = Reflect.getPrototypeOf(proto);
  }
  return copy as T;
}

/** `snapshotOwn` of `value` when it is an object (not an array); anything else as it is. */
export function snapshotIfObject<T>(value: T): T {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? snapshotOwn(value) : value;
}

/** Options nested one level deep that are copied too. */
const NESTED = ["certificate", "audit", "posture", "clientOptions", "workloadIdentity", "managedIdentity"] as const;
/** Arrays of strings that are copied element by element. */
const LISTS = ["allowedHosts", "allowedAuthorityHosts", "clients"] as const;

/**
 * The factory's (or `checkPosture`'s) options, each read once: the top level and the nested `certificate`, `audit`,
 * `posture`, `clientOptions`, `workloadIdentity` and `managedIdentity` objects are `snapshotOwn` copies, and the
 * host lists plain arrays. Deeper values (an agent, `tlsOptions`, a logger) are the caller's objects.
 */
export function snapshotOptions<T extends object>(options: T): T {
  const copy = snapshotOwn(options) as Record<string, unknown>;
  for (const key of NESTED) {
    if (Object.prototype.hasOwnProperty.call(copy, key)) copy[key] = snapshotIfObject(copy[key]);
  }
  for (const key of LISTS) {
    const list = copy[key];
    if (Array.isArray(list)) copy[key] = Array.from(list as unknown[]);
  }
  return copy as T;
}
