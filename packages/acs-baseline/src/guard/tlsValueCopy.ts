/**
 * A TLS settings value copied so that nothing reachable from the copy is shared with the caller's object or can be
 * changed through the copy: PEM text held in bytes (`ca`, `cert`, `crl`, `key`: ASCII) becomes a string, other bytes
 * (`pfx`) are copied into memory of their own, arrays and objects (`{ pem, passphrase }`, `{ buf, passphrase }`: their
 * own enumerable members, whatever their prototype) are copied and frozen, as deep as Node's TLS reads them. Without
 * it a frozen settings object would still share the caller's `Buffer`s, which a pipeline policy (or the caller) could
 * rewrite in place after the check, changing the CA a sealed client trusts.
 */
import { isAscii } from "node:buffer";
import { inspect } from "node:util";

/** TLS settings that hold a private key or its password. */
const SECRET_MEMBERS = new Set(["key", "passphrase", "pfx", "privateKeyIdentifier", "privateKeyEngine"]);

/** `settings` as printed: the members holding a private key or its password shown as `[REDACTED]`. */
function printable(settings: Record<string, unknown>, secrets: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(settings)) out[key] = secrets.has(key) ? "[REDACTED]" : settings[key];
  return out;
}

/**
 * Gives a TLS settings copy (before it is frozen) a `util.inspect` and a `toJSON` that redact its private key and
 * passphrase: clients keep their options (ChatClient's `clientOptions`, a client's credential object), so
 * `console.log(client)` or a logger would print them. Non-enumerable, so spreads and Node's TLS never see them.
 */
export function withSecretsHidden<T extends Record<string, unknown>>(
  settings: T,
  secrets: ReadonlySet<string> = SECRET_MEMBERS,
): T {
  Object.defineProperty(settings, inspect.custom, {
    value: (_depth: number, options: object, show: typeof inspect) => show(printable(settings, secrets), options),
  });
  Object.defineProperty(settings, "toJSON", { value: () => printable(settings, secrets) });
  return settings;
}

export function tlsValueCopy(value: unknown, depth = 0): unknown {
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (isAscii(bytes)) return bytes.toString("latin1");
    // Its own memory (Buffer.from would take a slice of the shared pool, whose other bytes `.buffer` reaches).
    const copy = Buffer.alloc(bytes.length);
    bytes.copy(copy);
    return copy;
  }
  if (depth > 1 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map((item: unknown) => tlsValueCopy(item, depth + 1)));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = tlsValueCopy((value as Record<string, unknown>)[key], depth + 1);
  return Object.freeze(copy);
}
