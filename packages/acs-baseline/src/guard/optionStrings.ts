/**
 * IM-1: no string anywhere in the options may be an ACS connection string — also where a plain walk of enumerable
 * keys does not look: boxed `String`s, `Map` keys and values, `Set`s, class instances, non-enumerable and Symbol
 * keys, any depth, URL-encoded text and Buffers.
 */
import { BaselineViolationError } from "../errors.js";
import { isConnectionStringShaped } from "./connectionString.js";

/** Deepest nesting walked (far beyond any real option object; bounds the work for hostile ones). */
const MAX_DEPTH = 64;
/** Most values walked in one option tree (an https.Agent or a logger are a few hundred). */
const MAX_NODES = 20_000;
/** Longest binary value decoded and checked. */
const MAX_BINARY_BYTES = 1 << 20;

/** True when `text`, or its URL-decoded form (up to three rounds), holds a connection string. */
function holdsConnectionString(text: string): boolean {
  if (isConnectionStringShaped(text)) return true;
  let current = text;
  for (let round = 0; round < 3 && current.includes("%"); round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      decoded = current.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    if (decoded === current) break;
    if (isConnectionStringShaped(decoded)) return true;
    current = decoded;
  }
  return false;
}

function keyName(key: string | symbol): string {
  return typeof key === "symbol" ? `[${String(key.description ?? "symbol").slice(0, 40)}]` : key;
}

/** The dotted name of the first option value that holds an ACS connection string, or undefined. */
export function findConnectionStringOption(options: unknown, prefix = ""): string | undefined {
  const seen = new Set<object>();
  let nodes = 0;
  const walk = (value: unknown, path: string, depth: number): string | undefined => {
    const here = path || "(value)";
    if (typeof value === "string") return holdsConnectionString(value) ? here : undefined;
    if (typeof value !== "object" || value === null) return undefined;
    if (depth > MAX_DEPTH || nodes++ > MAX_NODES || seen.has(value)) return undefined;
    seen.add(value);
    if (value instanceof String) return holdsConnectionString(value.valueOf()) ? here : undefined;
    if (ArrayBuffer.isView(value)) {
      if (value.byteLength > MAX_BINARY_BYTES) return undefined;
      return holdsConnectionString(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1")) ? here : undefined;
    }
    if (value instanceof Map) {
      let i = 0;
      for (const [k, v] of value) {
        const found = walk(k, `${here}.<key ${i}>`, depth + 1) ?? walk(v, `${here}.<value ${i}>`, depth + 1);
        if (found !== undefined) return found;
        i++;
      }
    } else if (value instanceof Set) {
      let i = 0;
      for (const v of value) {
        const found = walk(v, `${here}.<item ${i++}>`, depth + 1);
        if (found !== undefined) return found;
      }
    }
    // Every own key, enumerable or not, string or Symbol, of plain objects and class instances alike.
    let keys: (string | symbol)[];
    try {
      keys = Reflect.ownKeys(value);
    } catch {
      return undefined;
    }
    for (const key of keys) {
      let child: unknown;
      try {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor === undefined) continue;
        child = "value" in descriptor ? descriptor.value : descriptor.get?.call(value);
      } catch {
        continue;
      }
      const found = walk(child, path ? `${path}.${keyName(key)}` : keyName(key), depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(options, prefix, 0);
}

/**
 * Refuses options that contain a connection string in any value.
 * @throws BaselineViolationError CONNECTION_STRING_REFUSED
 */
export function assertNoConnectionString(options: unknown, prefix = ""): void {
  const where = findConnectionStringOption(options, prefix);
  if (where !== undefined) {
    throw new BaselineViolationError(
      "CONNECTION_STRING_REFUSED",
      `The option "${where.slice(0, 200)}" holds an ACS connection string (endpoint=…;accesskey=…). Connection strings carry an access key and are refused: use AcsClientFactory with Microsoft Entra ID (tenantId, clientId and a certificate), set "endpoint" to the https URL only, and disable local auth on the resource.`,
    );
  }
}
