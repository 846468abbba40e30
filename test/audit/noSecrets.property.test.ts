// Secret canaries planted in every input of the recorder never reach the output (property-based).
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditEventInput } from "../../packages/acs-baseline/src/audit/index.js";
import { createAuditRecorder } from "../../packages/acs-baseline/src/audit/index.js";
import { parse } from "../support/auditRecords.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet.split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));
// random material must contain a digit and a letter (always true of real keys; keeps the generator honest)
const mixed = (alphabet: string, min: number, max: number) =>
  fc
    .tuple(chars(alphabet, min, max), fc.integer({ min: 0, max: 9 }), fc.constantFrom(..."abcXYZ".split("")))
    .map(([s, d, l]) => `${l}${s}${d}`);

/** A canary: the text planted, and the secret core that must not appear (`digits`: compare digits only). */
interface Canary {
  text: string;
  core: string;
  digits?: boolean;
}

const accessKey = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString("base64"));
const canaries: fc.Arbitrary<Canary> = fc.oneof(
  accessKey.map((k) => ({ text: k, core: k })),
  fc
    .tuple(
      accessKey,
      fc.constantFrom("endpoint=https://contoso.communication.azure.com/;accesskey=", "AccessKey=", "accesskey = "),
    )
    .map(([k, p]) => ({
      text: p.startsWith("endpoint") ? `${p}${k}` : `endpoint=https://x.communication.azure.com/;${p}${k}`,
      core: k,
    })),
  fc.tuple(mixed(B64URL, 10, 60), mixed(B64URL, 10, 200), mixed(B64URL, 20, 86)).map(([h, p, s]) => {
    const jwt = `eyJ${h}.eyJ${p}.${s}`;
    return { text: jwt, core: jwt };
  }),
  fc.tuple(mixed(B64URL, 10, 60), mixed(B64URL, 10, 80)).map(([h, p]) => {
    const jwt = `eyJ${h}.${p}.sig${p}`;
    return { text: `Authorization: Bearer ${jwt}`, core: jwt };
  }),
  fc
    .tuple(
      chars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 3, 3),
      fc.integer({ min: 0, max: 9 }),
      mixed(`${B64URL}~.`, 30, 34),
    )
    .map(([a, d, b]) => {
      const secret = `${a}${d}Q~${b}`;
      return { text: secret, core: secret };
    }),
  fc
    .tuple(
      fc.constantFrom("password=", "Password: ", "client_secret=", "pwd=", "secret:", "token="),
      mixed(`${B64}!@#$%^*()_-`, 12, 40),
    )
    .map(([k, v]) => ({
      text: `${k}${v}`,
      core: v,
    })),
  mixed(B64, 200, 400).map((body) => ({
    text: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`,
    core: body.slice(0, 40),
  })),
  mixed(B64, 200, 400).map((body) => ({
    text: `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}`,
    core: body.slice(-40),
  })),
  fc
    .tuple(fc.integer({ min: 1, max: 999 }), chars("0123456789", 8, 11), fc.constantFrom("", " ", "-"))
    .map(([cc, n, sep]) => ({
      text: `+${cc}${sep}${n}`,
      core: `${cc}${n}`,
      digits: true,
    })),
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), chars("0123456789", 9, 13))
    .map(([d, n]) => ({ text: `${d}${n}`, core: `${d}${n}`, digits: true })),
);

const SEPARATORS = [" ", "\n", "\t", ":", "=", "/", '"', "'", ",", "(", ";", "&", "?"];
const padding = fc
  .string({ maxLength: 20 })
  .map((s) => s.replace(/[A-Za-z0-9+/~._-]+$/, "").replace(/^[A-Za-z0-9+/~._-]+/, ""));
/** The canary embedded in random text. */
const planted = fc
  .tuple(canaries, padding, padding, fc.constantFrom(...SEPARATORS), fc.constantFrom(...SEPARATORS))
  .map(([c, pre, post, s1, s2]) => ({ canary: c, text: `${pre}${s1}${c.text}${s2}${post}` }));

function leaks(output: string, c: Canary): boolean {
  if (c.digits === true) return output.includes(c.text) || output.includes(c.core);
  const lower = output.toLowerCase();
  const core = c.core.toLowerCase();
  if (lower.includes(core)) return true;
  // no 16-character window of the secret either
  for (let i = 0; i + 16 <= core.length; i += 8) if (lower.includes(core.slice(i, i + 16))) return true;
  return false;
}

describe("no secret reaches an audit record", () => {
  it("canaries planted in every input field are redacted or masked", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(planted, { minLength: 22, maxLength: 22 }), async (p) => {
        const t = p.map((x) => x.text);
        const stream = new PassThrough();
        let out = "";
        stream.on("data", (c: Buffer) => (out += c.toString()));
        const r = createAuditRecorder({ destination: stream });
        r.setEndpoint(t[0]);
        r.setPrincipal({
          tenantId: t[1],
          clientId: t[2],
          credentialType: t[3] as "certificate",
          certificateThumbprint: t[4],
        });
        const event: AuditEventInput = {
          action: "request",
          outcome: "failure",
          reason: t[5],
          controls: ["IM-1", t[6] as "IM-1"],
          principal: { clientId: t[7], certificateThumbprint: t[8] },
          client: t[9],
          http: { method: t[10], path: t[11], status: 401, requestId: t[12], correlationId: t[13], durationMs: 3 },
          token: { expiresOn: t[14], scope: t[15] },
          error: { code: t[16], message: t[17] },
          variables: [t[18], "ACS_CONNECTION_STRING"],
          certificate: { notAfter: t[19], daysRemaining: 3 },
        };
        r.write(event);
        r.write({ action: t[20] as "request", outcome: "success", controls: ["LT-4"], reason: t[21] });
        await r.close();
        for (const { canary } of p) {
          if (leaks(out, canary)) throw new Error(`leaked ${JSON.stringify(canary.core)} in\n${out}`);
        }
        // still useful records
        expect(out.trim().split("\n")).toHaveLength(3);
      }),
      { numRuns: 1000 },
    );
  });

  it("phone numbers keep only their last four digits", async () => {
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => (out += c.toString()));
    const r = createAuditRecorder({ destination: stream, chain: false });
    r.write({
      action: "refuse",
      outcome: "failure",
      controls: ["IM-1"],
      reason: "to +1 425-555-0123 and +442071838750",
    });
    r.write({
      action: "request",
      outcome: "success",
      controls: ["LT-4"],
      http: { method: "GET", path: "/phoneNumbers/+14255550199", durationMs: 1 },
    });
    await r.close();
    const [a, b] = out.trim().split("\n").map(parse);
    expect(a.event.reason).toBe("to ***0123 and ***8750");
    expect(b.http.path).toBe("/phoneNumbers/***0199");
  });
});
