/**
 * The TLS settings a guarded request is sent with: a frozen copy of the caller's settings, each member read once, and
 * its sealed twin with `rejectUnauthorized: true`. The tables are WeakMaps whose methods were captured at load (see
 * builtins.ts), so a policy that replaces `WeakMap.prototype.get` cannot hand the guard settings of its own.
 */
import type { PipelineRequest } from "@azure/core-rest-pipeline";
import { SafeMap, SafeWeakMap, freezeObject, hasOwn, objectKeys } from "./builtins.js";
import { tlsValueCopy, withSecretsHidden } from "./tlsValueCopy.js";

type TlsSettings = NonNullable<PipelineRequest["tlsSettings"]>;

/** Verification forced on: what requests without TLS settings of their own are sent with. */
export const VERIFYING: TlsSettings = freezeObject({ rejectUnauthorized: true }) as TlsSettings;

interface TlsEntry {
  /** The caller's values the copies were made from (array members by reference). */
  values: Map<string, unknown>;
  plain: TlsSettings;
}
/** By the caller's settings object: its frozen copy, while it is unchanged. */
const tlsCopies: WeakMap<object, TlsEntry> = new SafeWeakMap();
/** By frozen copy (and by sealed copy, for a snapshot sent again): the copy to send, verification forced on. */
const sealedCopies: WeakMap<object, TlsSettings> = new SafeWeakMap([[VERIFYING, VERIFYING]]);

function unchanged(source: Record<string, unknown>, values: Map<string, unknown>): boolean {
  let n = 0;
  for (const key in source) {
    if (!hasOwn(source, key)) continue;
    n++;
    if (!values.has(key) || values.get(key) !== source[key]) return false;
  }
  return n === values.size;
}

/**
 * A frozen copy of a request's TLS settings, each member read once (the check reads the copy, so a getter or a Proxy
 * cannot answer it differently), one copy per settings object while it is unchanged: the HTTP client keys its
 * keep-alive agents by that object. Anything that is not an object is returned as it is (the check refuses it).
 */
export function tlsCopyOf(settings: unknown): unknown {
  if (typeof settings !== "object" || settings === null || sealedCopies.has(settings)) return settings;
  const source = settings as Record<string, unknown>;
  const known = tlsCopies.get(source);
  if (known !== undefined && unchanged(source, known.values)) return known.plain;
  const values = new SafeMap<string, unknown>();
  const copy: Record<string, unknown> = {};
  const keys = objectKeys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = source[key];
    values.set(key, value);
    copy[key] = tlsValueCopy(value);
  }
  const sealed = freezeObject(withSecretsHidden({ ...copy, rejectUnauthorized: true })) as unknown as TlsSettings;
  const plain = freezeObject(withSecretsHidden(copy)) as unknown as TlsSettings;
  sealedCopies.set(plain, sealed);
  sealedCopies.set(sealed, sealed);
  tlsCopies.set(source, { values, plain });
  return plain;
}

/** Whether `settings` is a sealed copy made here (frozen, verification forced on). */
export function isSealedCopy(settings: object): boolean {
  return sealedCopies.get(settings) === settings;
}

/** The sealed copy to send for checked `settings` (a copy made here, or the caller's object it was made from). */
export function sealedCopyOf(settings: object): TlsSettings {
  // Only checked settings get here, so the copy exists; a missing one would send no CA of the caller's (and fail).
  return sealedCopies.get(settings) ?? sealedCopies.get(tlsCopyOf(settings) as object) ?? VERIFYING;
}

/**
 * The TLS settings a client is built with: a frozen copy of `settings` with `rejectUnauthorized: true` (or, without
 * settings, `{ rejectUnauthorized: true }`), the very object the guard would send. A guard given it
 * (`guardHttpClient`'s `sealedTls`) knows it by identity: requests that carry it need no copy, check or seal of
 * their TLS settings. Call only with settings that passed `tlsSettingsReason`.
 */
export function sealedTlsSettings(settings: unknown): TlsSettings {
  if (settings === undefined || settings === null) return VERIFYING;
  return sealedCopies.get(tlsCopyOf(settings) as object) ?? VERIFYING;
}
