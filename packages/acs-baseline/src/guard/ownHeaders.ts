/**
 * The headers a checked copy of a request is sent with: read once from the caller's, held where no policy can reach
 * them. Code that runs inside the HTTP client after the check (a body factory, an abort signal's `addEventListener`)
 * can reach the caller's headers object, never this one.
 */
import type { HttpHeaders, RawHttpHeaders } from "@azure/core-rest-pipeline";
import { SafeMap, toLowerCase, toText } from "./builtins.js";

interface Entry {
  readonly name: string;
  readonly value: string;
}

/**
 * An `HttpHeaders` of the guard's own, with the same behaviour as `createHttpHeaders()`'s for the HTTP client (names
 * case-insensitive, the last spelling set kept for the wire). Values are kept as read: the caller's `HttpHeaders` has
 * already trimmed them, and Node's HTTP client refuses a value with a line break (`ERR_INVALID_CHAR`) rather than
 * sending it. Costs about a third of a `createHttpHeaders()` copy, which runs a regular expression per value.
 */
class OwnHeaders implements HttpHeaders {
  // Methods captured at load (builtins.ts): the guard reads `authorization` through `get`.
  readonly #entries = new SafeMap<string, Entry>();

  get(name: string): string | undefined {
    return this.#entries.get(toLowerCase(name))?.value;
  }

  has(name: string): boolean {
    return this.#entries.has(toLowerCase(name));
  }

  set(name: string, value: string | number | boolean): void {
    this.#entries.set(toLowerCase(name), { name, value: toText(value) });
  }

  delete(name: string): void {
    this.#entries.delete(toLowerCase(name));
  }

  toJSON(options: { preserveCase?: boolean } = {}): RawHttpHeaders {
    const result: RawHttpHeaders = {};
    if (options.preserveCase === true) for (const entry of this.#entries.values()) result[entry.name] = entry.value;
    else for (const [normalized, entry] of this.#entries) result[normalized] = entry.value;
    return result;
  }

  toString(): string {
    return JSON.stringify(this.toJSON({ preserveCase: true }));
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const entry of this.#entries.values()) yield [entry.name, entry.value];
  }
}

/**
 * A headers object of the guard's own with every header of `source`, each read once through its iterator.
 * @throws whatever reading `source` throws (a policy replaced the headers with something that is not one)
 */
export function ownHeadersOf(source: Iterable<[string, string]>): HttpHeaders {
  const copy = new OwnHeaders();
  for (const [name, value] of source) copy.set(toText(name), value);
  return copy;
}
