/**
 * The `Retry-After` header (RFC 9110 §10.2.3) as a wait: delay seconds (whole or, as some Azure services send them,
 * with a fraction) or an HTTP date. Shared by the managed-identity credential and the CLI's Resource Graph reader.
 */

/**
 * The milliseconds from `now` that `value` asks to wait (negative for a date in the past); undefined when it is absent
 * or unreadable.
 */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim() ?? "";
  if (text === "") return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? ms : undefined;
}
