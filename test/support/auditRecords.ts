/** Reading audit records back in tests, and the fixed values the audit tests write and look for. */
import { readFileSync } from "node:fs";

/** A parsed record: tests poke at arbitrary members. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of parsed JSON
export type Rec = Record<string, any>;

/** Parses one JSON line. */
export const parse = (line: string): Rec => JSON.parse(line) as Rec;

/** The JSON records of a log file (torn / non-JSON lines dropped). */
export function readRecords(path: string): Rec[] {
  const out: Rec[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(parse(line));
    } catch {
      // torn line
    }
  }
  return out;
}

/** A tenant id the audit tests write into records. */
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/** A client id the audit tests write into records. */
export const CLIENT = "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d";
/** A certificate thumbprint (SHA-256, hex) the audit tests write into records. */
export const THUMB = "3f".repeat(32);
/** A record timestamp: ISO 8601, UTC, milliseconds. */
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** A SHA-256 digest in hex. */
export const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Every non-empty line of a log file, parsed as JSON. Strict, unlike {@link readRecords}: a line that is not JSON
 * throws, so a torn or garbled record fails the test.
 */
export function readJsonLines<T = Rec>(path: string): T[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** The event of the `i`-th request-shaped record the audit tests write (an SmsClient send to `/sms/{i}`). */
export const REQUEST = (i: number) => ({
  action: "request" as const,
  outcome: "success" as const,
  controls: ["IM-1", "LT-4"] as const,
  client: "SmsClient",
  http: { method: "POST", path: `/sms/${i}`, status: 202, durationMs: 1 },
});
