/**
 * `verify-log --anchor-allowed-host`: host names only, only with an `--anchor` https URL, and it adds a storage host
 * without lifting the other checks (a SAS, http or another host is still refused, nothing echoed). Exit 2 each time;
 * no storage is reached, so no Azurite is needed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyLogCommand } from "../../packages/cli/src/commands/verifyLog.js";
import { runCaptured } from "../support/captureOutput.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-anchor-allowed-host-");

describe("verify-log --anchor-allowed-host", () => {
  const command = (args: string[]) =>
    runCaptured((io) => verifyLogCommand(args, { ...io, env: {}, cwd: dir, stderrIsTTY: false }));
  writeFileSync(join(dir, "empty.log"), "");

  it("takes host names only, and only with an --anchor https URL (exit 2)", async () => {
    for (const bad of ["https://127.0.0.1", "127.0.0.1:10000", "127.0.0.1/x", "", "user@host", "*"]) {
      const r = await command([
        "empty.log",
        "--anchor",
        "https://127.0.0.1:1/devstoreaccount1/c/b",
        "--anchor-allowed-host",
        bad,
      ]);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/--anchor-allowed-host takes a host name/);
    }
    const fileAnchor = await command(["empty.log", "--anchor", "empty.log", "--anchor-allowed-host", "127.0.0.1"]);
    expect(fileAnchor.code).toBe(2);
    expect(fileAnchor.err).toMatch(/applies only to an --anchor https URL/);
  });

  it("adds a host, never lifts the other checks: a SAS, http or another host is still refused (exit 2, nothing echoed)", async () => {
    const cases: [string, RegExp][] = [
      ["https://127.0.0.1:1/devstoreaccount1/c/b?sv=2024&sig=c2VjcmV0LXNpZw%3D%3D", /KEY_CREDENTIAL_REFUSED/],
      ["https://evil.example.net/c/b", /ENDPOINT_NOT_ALLOWED/],
    ];
    for (const [url, code] of cases) {
      const r = await command(["empty.log", "--anchor", url, "--anchor-allowed-host", "127.0.0.1"]);
      expect(r.code, url).toBe(2);
      expect(r.err).toMatch(code);
      expect(r.err).not.toMatch(/c2VjcmV0/);
    }
  });
});
