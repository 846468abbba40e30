// `verify-log --logger`: the host logger's own lines are skipped and counted, in the text output as in --json
// (`otherLines`). A log written through a real pino logger by the real recorder.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { createAuditRecorder } from "../../packages/acs-baseline/src/audit/index.js";
import { signingKeyFiles } from "../support/signingKeyFiles.js";
import { tempDir } from "../support/tempDir.js";
import { verifyLogCli } from "../support/verifyLogCli.js";

const dir = tempDir("acs-verify-logger-");
const keys = signingKeyFiles("acs-verify-logger-key-");

/** A log with 3 audit records and `hostLines` lines of the application's own. */
async function loggerLog(name: string, hostLines: number): Promise<string> {
  const path = join(dir, name);
  const dest = pino.destination({ dest: path, sync: true });
  const app = pino({ base: { service: "contoso-app" } }, dest);
  const r = createAuditRecorder({ logger: app });
  r.setEndpoint("contoso.communication.azure.com");
  for (let i = 0; i < hostLines; i++) app.info({ i }, "app line");
  r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "SmsClient" });
  r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "EmailClient" });
  await r.close();
  dest.flushSync();
  return path;
}

let none: string;
beforeAll(async () => {
  await loggerLog("two.log", 2);
  await loggerLog("one.log", 1);
  none = await loggerLog("none.log", 0);
});

describe("verify-log --logger: other lines in the text output", () => {
  it("two host lines: 'intact: … , 2 other lines skipped', and --json says otherLines: 2", async () => {
    const text = await verifyLogCli(["--logger", "two.log"], dir);
    expect(text.code).toBe(0);
    expect(text.out.trim().split("\n")[0]).toBe("intact: 3 records (seq 1..3, closed), 2 other lines skipped");
    const json = await verifyLogCli(["--logger", "--json", "two.log"], dir);
    expect(JSON.parse(json.out)).toMatchObject({ status: "intact", records: 3, otherLines: 2 });
  });

  it("one host line: singular", async () => {
    const { code, out } = await verifyLogCli(["--logger", "one.log"], dir);
    expect(code).toBe(0);
    expect(out).toMatch(/^intact: 3 records \(seq 1\.\.3, closed\), 1 other line skipped\n/);
  });

  it("no host line: nothing is added", async () => {
    const { code, out } = await verifyLogCli(["--logger", "none.log"], dir);
    expect(code).toBe(0);
    expect(out).toBe("intact: 3 records (seq 1..3, closed)\n");
    expect(readFileSync(none, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("an incomplete log reports the count too", async () => {
    // --public-key on a log with no signed checkpoint: the chain holds, but nothing is sealed
    const { code, out } = await verifyLogCli(["--logger", "--public-key", keys.pubPath, "two.log"], dir);
    expect(code).toBe(1);
    expect(out.split("\n")[0]).toBe("INCOMPLETE: 3 records (seq 1..3, closed), 2 other lines skipped");
  });
});
