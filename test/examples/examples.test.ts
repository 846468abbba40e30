// Every example runs against the emulator (no AZURE_* configuration), after the build (npm test builds first).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const run = async (file: string, args: string[] = []) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AZURE_")));
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, "examples", file), ...args], {
    env,
    cwd: ROOT,
    timeout: 60_000,
  });
  return stdout;
};

describe("examples against the emulator", () => {
  it("send-sms.mjs", async () => {
    const out = await run("send-sms.mjs");
    expect(out).toMatch(/SMS to \*+0123 via the local emulator: accepted/);
    expect(out).not.toContain("+14255550123");
  });

  it("identity-token.mjs", async () => {
    const out = await run("identity-token.mjs");
    expect(out).toMatch(/Created 8:acs:/);
    expect(out).toContain("Revoked its tokens and deleted it again");
    expect(out).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  it("create-client.mjs (PhoneNumbersClient through createClient)", async () => {
    expect(await run("create-client.mjs")).toContain("0 purchased phone number(s) on the local emulator");
  });

  it("token-service.mjs issues user tokens over HTTP", async () => {
    const out = await run("token-service.mjs", ["--once"]);
    expect(out).toMatch(/POST \/token → 200: user 8:acs:/);
    expect(out).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  it("demo.mjs (npm run demo) shows the whole product and exits 0", async () => {
    const out = await run("demo.mjs");
    expect(out).toContain("accepted");
    expect(out).toContain("CONNECTION_STRING_REFUSED (IM-1)");
    expect(out).toMatch(/Storage https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/); // Azurite, the anchor's blob storage
    expect(out).toMatch(/intact: \d+ records, closed, \d+ signed checkpoints, \d+ in the append blob/);
    expect(out).toMatch(/with the anchor: INCOMPLETE: cut tail/);
    expect(out).toContain("refuse FAILED");
    // Posture: the leaked key works, posture fails with a plan, the plan is applied through ARM, the key dies, posture passes.
    expect(out).toContain("a leaked connection string (access key, not printed) sends an SMS: accepted");
    expect(out).toContain("✗ local-auth-disabled");
    expect(out).toContain("✗ resource-logs");
    expect(out).toContain("az rest --method patch");
    expect(out).toContain("the leaked connection string now gets: HTTP 401 LocalAuthDisabled");
    expect(out).toContain("✓ local-auth-disabled");
    expect(out).toMatch(/posture: passes \(\d+ pass, 0 fail/);
    expect(out).not.toMatch(/accesskey=[A-Za-z0-9+/]{20,}/i);
    expect(out).not.toContain("ZGVtby1rZXktbmV2ZXItcHJpbnRlZA");
    expect(out).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    // Issue 25: every line fits 100 columns (wrapped at spaces: no line ends inside a word that the next continues),
    // every audit record is printed once (one log.close: the refused attempt writes to its own file), and the output
    // ends with a three-line summary.
    const lines = out.trimEnd().split("\n");
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(100);
    expect(lines.filter((l) => / log\.close /.test(l))).toHaveLength(1);
    const records = lines.map((l) => / #(\d+) /.exec(l)?.[1]).filter((n) => n !== undefined);
    expect(records.length).toBeGreaterThan(5);
    expect(lines.at(-4)).toMatch(/^Done in \d+\.\d s\. What was shown:$/);
    expect(lines.at(-3)).toMatch(
      /^ {2}Entra ID only: certificate credential, SMS sent, user token issued, connection string refused\.$/,
    );
    expect(lines.at(-2)).toMatch(
      /^ {2}Audit: \d+ records, hash chain, \d+ signed checkpoints, blob anchor; a cut tail: incomplete\.$/,
    );
    expect(lines.at(-1)).toMatch(
      /^ {2}Posture: leaked key dead after the plan; [1-9]\d* → 0 failing; estate: [1-9]\d*\/\d+ keys on, key callers named\.$/,
    );
  });
});
