/**
 * The JavaScript built-ins the guard decides with, captured when acs-baseline is loaded, as Node.js's own internals
 * capture theirs ("primordials"). A pipeline policy reaches every shared prototype from the objects it is handed
 * (`request.url` is a string, the guard's tables are WeakMaps): code that replaces `String.prototype.startsWith`,
 * `WeakMap.prototype.get`, `Function.prototype.call` or `Reflect.apply` afterwards does not change what the guard
 * lets through, where a request's socket goes, or what the wire backstop stops.
 */
/* eslint-disable @typescript-eslint/unbound-method -- this module's job is to keep built-in methods unbound */

const { apply, defineProperty, getOwnPropertyDescriptor, ownKeys } = Reflect;
const { bind, call } = Function.prototype;
const { freeze, setPrototypeOf } = Object;

/** `fn` as a function of its receiver and arguments: the bound built-in `call`, which later changes cannot reach. */
function uncurry<T, A extends unknown[], R>(fn: (this: T, ...args: A) => R): (self: T, ...args: A) => R {
  return apply(bind, call, [fn]) as (self: T, ...args: A) => R;
}

/** `Reflect.apply` as it was at load. */
export const reflectApply: typeof Reflect.apply = apply;
/** `Reflect.ownKeys` as it was at load. */
export const reflectOwnKeys: typeof Reflect.ownKeys = ownKeys;
/** `Reflect.get` as it was at load. */
export const reflectGet: typeof Reflect.get = Reflect.get;
/** `Object.defineProperty` as it was at load. */
export const defineOwn: typeof Object.defineProperty = Object.defineProperty;
/** `Object.freeze` as it was at load. */
export const freezeObject: typeof Object.freeze = freeze;
/** `Object.keys` as it was at load. */
export const objectKeys: typeof Object.keys = Object.keys;
/** `Object.isFrozen` as it was at load. */
export const isFrozen: typeof Object.isFrozen = Object.isFrozen;
/** `Object.getPrototypeOf` as it was at load. */
export const getPrototype: typeof Object.getPrototypeOf = Object.getPrototypeOf;
/** `Reflect.getOwnPropertyDescriptor` as it was at load. */
export const ownDescriptor: typeof Reflect.getOwnPropertyDescriptor = getOwnPropertyDescriptor;
/** `JSON.stringify` as it was at load. */
export const jsonStringify: (value: unknown) => string = JSON.stringify;
/** `Array.isArray` as it was at load. */
export const isArray: typeof Array.isArray = Array.isArray;
/** `String` (the conversion) as it was at load. */
export const toText: (value: unknown) => string = String;
/** `Number` (the conversion) as it was at load. */
export const toNumber: (value: unknown) => number = Number;
/** `Object.prototype.hasOwnProperty` as a function of the object. */
export const hasOwn: (self: object, key: PropertyKey) => boolean = uncurry(Object.prototype.hasOwnProperty);

/** `String.prototype.startsWith`. */
export const startsWith: (self: string, search: string, position?: number) => boolean = uncurry(
  String.prototype.startsWith,
);
/** `String.prototype.endsWith`. */
export const endsWith: (self: string, search: string) => boolean = uncurry(String.prototype.endsWith);
/** `String.prototype.toLowerCase`. */
export const toLowerCase: (self: string) => string = uncurry(String.prototype.toLowerCase);
/** `String.prototype.toUpperCase`. */
export const toUpperCase: (self: string) => string = uncurry(String.prototype.toUpperCase);
/** `String.prototype.trim`. */
export const trim: (self: string) => string = uncurry(String.prototype.trim);
/** `String.prototype.slice`. */
export const slice: (self: string, start: number, end?: number) => string = uncurry(String.prototype.slice);
/** `String.prototype.indexOf`. */
export const indexOf: (self: string, search: string, position?: number) => number = uncurry(String.prototype.indexOf);
/** `String.prototype.includes`. */
export const includesText: (self: string, search: string) => boolean = uncurry(String.prototype.includes);
/** `RegExp.prototype.exec` (the built-in: `test` and `String.prototype.replace` look methods up on the RegExp). */
export const regExpExec: (self: RegExp, text: string) => RegExpExecArray | null = uncurry(RegExp.prototype.exec);
/** `Array.prototype.includes`. */
export const arrayIncludes: (self: readonly unknown[], value: unknown) => boolean = uncurry(
  Array.prototype.includes as (this: readonly unknown[], value: unknown) => boolean,
);

/** `URL` as it was at load, and its `href` getter (a parsed URL's serialisation, which a policy cannot answer for). */
export const SafeURL: typeof URL = URL;
const hrefGetter = getOwnPropertyDescriptor(URL.prototype, "href")?.get as (this: URL) => string;
/** `url.href` through the getter captured at load. */
export const hrefOf: (url: URL) => string = uncurry(hrefGetter);
const getterOf = (name: string) => uncurry(getOwnPropertyDescriptor(URL.prototype, name)?.get as (this: URL) => string);
/** `url.hostname` through the getter captured at load. */
export const hostnameOf: (url: URL) => string = getterOf("hostname");
/** `url.port` through the getter captured at load. */
export const portOf: (url: URL) => string = getterOf("port");
/** `url.protocol` through the getter captured at load. */
export const protocolOf: (url: URL) => string = getterOf("protocol");

/**
 * A subclass of `Base` whose prototype holds its own copies of `Base.prototype`'s members and is frozen: an instance's
 * `get`, `set` or `has` is the built-in whatever is done to `Base.prototype` later.
 */
function safeCollection<C extends new (...args: never[]) => object>(Base: C, Safe: C): C {
  const base = Base.prototype as object;
  const safe = Safe.prototype as object;
  for (const key of ownKeys(base)) {
    if (key === "constructor") continue;
    const descriptor = getOwnPropertyDescriptor(base, key);
    if (descriptor !== undefined) defineProperty(safe, key, descriptor);
  }
  setPrototypeOf(safe, null);
  freeze(safe);
  return freeze(Safe);
}

/** A WeakMap whose methods are the built-ins captured at load. */
export const SafeWeakMap: WeakMapConstructor = safeCollection(
  WeakMap,
  class SafeWeakMap extends WeakMap<object, unknown> {},
);
/** A WeakSet whose methods are the built-ins captured at load. */
export const SafeWeakSet: WeakSetConstructor = safeCollection(WeakSet, class SafeWeakSet extends WeakSet<object> {});
/** A Map whose `get`, `set`, `has`, `delete`, `clear` and `size` are the built-ins captured at load. */
export const SafeMap: MapConstructor = safeCollection(Map, class SafeMap extends Map<unknown, unknown> {});
/** A Set whose `add`, `has`, `delete` and `size` are the built-ins captured at load. */
export const SafeSet: SetConstructor = safeCollection(Set, class SafeSet extends Set<unknown> {});
