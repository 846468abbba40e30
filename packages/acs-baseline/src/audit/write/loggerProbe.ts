/**
 * App-logger mode: a host pino logger whose `redact` paths, `formatters`, serializers, mixin or `nestedKey` change
 * audit members would write records that no longer match their hash. Detected at start-up by rendering a probe
 * record through the logger's own serialiser (nothing is written) and comparing the audit members that come out.
 */
import pino from "pino";
import type { Logger } from "pino";
import { BaselineViolationError } from "../../errors.js";
import { RECORD_MEMBERS, canonicalJson } from "../record/canonical.js";

/** A record with every member present, values shaped like real ones. */
const PROBE: Readonly<Record<string, unknown>> = Object.freeze({
  acs: { client: "SmsClient", endpoint: "contoso.communication.azure.com" },
  anchor: { attempt: 1, pendingLines: 0 },
  baseline: { controls: ["IM-1", "LT-4"] },
  certificate: { daysRemaining: 30, notAfter: "2027-01-01T00:00:00.000Z" },
  checkpoint: { alg: "ES256", hash: "a".repeat(64), keyId: "k", prevSig: "", seq: 1, sig: "AAAA" },
  error: { code: "E", message: "m" },
  event: { action: "request", category: "web", outcome: "success", reason: "r" },
  hash: "b".repeat(64),
  http: {
    correlationId: "c",
    durationMs: 1,
    method: "POST",
    path: "/sms",
    requestId: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
    status: 202,
  },
  level: "info",
  log: { firstSeq: 1, records: 1, reason: "rotate" },
  prevHash: "0".repeat(64),
  principal: {
    clientId: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
    credentialType: "certificate",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  },
  schema: "acs-baseline.audit/1",
  seq: 1,
  span: { id: "0123456789abcdef" },
  time: "2026-01-01T00:00:00.000Z",
  token: { expiresOn: "2026-01-01T01:00:00.000Z", scope: "https://communication.azure.com//.default" },
  trace: { id: "0123456789abcdef0123456789abcdef" },
  variables: ["AZURE_CLIENT_SECRET"],
});

type Internals = Record<symbol, unknown>;

/**
 * Throws `AUDIT_LOGGER_INCOMPATIBLE` when `logger` would change any audit member of a record written through
 * `logger.child({}, { level: "info" })`.
 */
export function assertLoggerCompatible(logger: Logger): void {
  const child = logger.child({}, { level: "info" }) as unknown as Internals;
  const sym = pino.symbols as unknown as Record<string, symbol>;
  let line: unknown;
  try {
    let obj: Record<string, unknown> = JSON.parse(JSON.stringify(PROBE)) as Record<string, unknown>;
    const mixin = child[sym.mixinSym] as ((o: object, n: number, l: unknown) => object) | undefined;
    const merge = child[sym.mixinMergeStrategySym] as ((o: object, m: object) => Record<string, unknown>) | undefined;
    if (typeof mixin === "function")
      obj = merge !== undefined ? merge(obj, mixin(obj, 30, child)) : { ...mixin(obj, 30, child), ...obj };
    const asJson = child[sym.asJsonSym] as (o: object, msg: unknown, num: number, time: string) => string;
    line = asJson.call(child, obj, undefined, 30, ',"time":0');
  } catch (e) {
    throw new BaselineViolationError(
      "AUDIT_LOGGER_INCOMPATIBLE",
      `The audit logger could not render a test record (${(e as Error).name}): give audit.destination a file instead.`,
    );
  }
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(String(line)) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const changed: string[] = [];
  for (const key of RECORD_MEMBERS) {
    if (parsed === undefined || canonicalJson(parsed[key]) !== canonicalJson(PROBE[key])) changed.push(key);
  }
  if (changed.length > 0) {
    throw new BaselineViolationError(
      "AUDIT_LOGGER_INCOMPATIBLE",
      `The host logger changes audit members (${changed.slice(0, 6).join(", ")}${changed.length > 6 ? ", …" : ""}) through its redact paths, formatters, serializers, mixin or nestedKey: its records would read as TAMPERED. Remove those for the audit members, or give audit.destination a file.`,
    );
  }
}
