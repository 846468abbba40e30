import { execFile } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, beforeAll } from "vitest";
import { createAuditRecorder, verifyLog, verifyLogText } from "../../packages/acs-baseline/src/audit/index.js";
import { verifyLogCommand } from "../../packages/cli/src/commands/verifyLog.js";
import { runCaptured } from "../support/captureOutput.js";
import { parse } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-verify-");
let intact = "";
let lines: string[] = [];

beforeAll(async () => {
  const path = join(dir, "intact.log");
  const r = createAuditRecorder({ destination: path });
  r.setPrincipal({ clientId: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d", credentialType: "certificate" });
  for (let i = 0; i < 8; i++) {
    r.write({
      action: "request",
      outcome: "success",
      controls: ["LT-4"],
      http: { method: "POST", path: "/sms", status: 202, durationMs: i },
    });
  }
  await r.close();
  intact = readFileSync(path, "utf8");
  lines = intact.trimEnd().split("\n");
  expect(lines).toHaveLength(9);
});

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const join9 = (ls: string[]) => `${ls.join("\n")}\n`;

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCaptured((io) => verifyLogCommand(args, { ...io, env: {}, cwd: dir, stderrIsTTY: false }));
}

describe("verifyLog", () => {
  it("intact log: exit 0, 'intact: N records', closed", async () => {
    const res = await verifyLog(write("ok.log", intact));
    expect(res).toMatchObject({ intact: true, records: 9, firstSeq: 1, lastSeq: 9, closed: true, warnings: [] });
    const { code, out } = await cli(["ok.log"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^intact: 9 records/);
    expect(out).not.toMatch(/warning/);
  });

  it("edited record: exit 1 naming the line and seq", async () => {
    const edited = [...lines];
    edited[3] = edited[3].replace('"status":202', '"status":200');
    const res = await verifyLog(write("edited.log", join9(edited)));
    expect(res).toMatchObject({ intact: false, records: 3, problem: { line: 4, seq: 4, kind: "edited" } });
    const { code, out } = await cli(["edited.log"]);
    expect(code).toBe(1);
    expect(out).toMatch(/line 4 \(seq 4\): edited/);
  });

  it("edited record with a recomputed hash is caught at the next record", async () => {
    const recs = lines.map(parse);
    recs[3].http.status = 500;
    const { hash: _h, ...rest } = recs[3];
    const { computeRecordHash } = await import("../../packages/acs-baseline/src/audit/record/canonical.js");
    recs[3].hash = computeRecordHash(rest);
    const res = await verifyLogText(join9(recs.map((r) => JSON.stringify(r))));
    expect(res).toMatchObject({ intact: false, records: 4, problem: { line: 5, seq: 5, kind: "inserted" } });
  });

  it("removed record: exit 1, names the missing seq", async () => {
    const removed = lines.filter((_, i) => i !== 4);
    const res = await verifyLog(write("removed.log", join9(removed)));
    expect(res).toMatchObject({ intact: false, records: 4, problem: { line: 5, seq: 6, kind: "removed" } });
    expect(res.problem!.message).toMatch(/records 5 were removed|5 were removed/);
    const { code, out } = await cli(["removed.log"]);
    expect(code).toBe(1);
    expect(out).toMatch(/line 5 \(seq 6\): removed/);
  });

  it("removed head: the log must start at seq 1", async () => {
    const res = await verifyLogText(join9(lines.slice(2)));
    expect(res).toMatchObject({ intact: false, problem: { line: 1, seq: 3, kind: "removed" } });
  });

  it("inserted (replayed) record", async () => {
    const inserted = [...lines.slice(0, 6), lines[2], ...lines.slice(6)];
    const res = await verifyLog(write("inserted.log", join9(inserted)));
    expect(res).toMatchObject({ intact: false, records: 6, problem: { line: 7, seq: 3, kind: "inserted" } });
    expect((await cli(["inserted.log"])).code).toBe(1);
  });

  it("a line that is not a record is named once in the reason (inserted in the middle, or appended last)", async () => {
    const middle = [...lines.slice(0, 3), '{"note":"not a record"}', ...lines.slice(3)];
    const appended = [...lines, '{"note":"not a record"}', '{"note":"another"}'];
    const inMiddle = await verifyLog(write("not-a-record-middle.log", join9(middle)));
    const atEnd = await verifyLog(write("not-a-record-end.log", join9(appended)));
    expect(inMiddle.reasons[0]).toMatch(/^line 4: inserted: this line is not an audit record/);
    expect(atEnd.reasons[0]).toMatch(
      new RegExp(`^line ${lines.length + 1}: inserted: the last lines are not records but complete`),
    );
    for (const reason of [inMiddle.reasons[0], atEnd.reasons[0]]) expect(reason.match(/line \d+/g)).toHaveLength(1);
  });

  it("reordered records", async () => {
    const swapped = [...lines];
    [swapped[4], swapped[5]] = [swapped[5], swapped[4]];
    const res = await verifyLog(write("reordered.log", join9(swapped)));
    expect(res).toMatchObject({ intact: false, records: 4, problem: { line: 5, seq: 6, kind: "reordered" } });
    const { code, out } = await cli(["reordered.log"]);
    expect(code).toBe(1);
    expect(out).toMatch(/line 5 \(seq 6\): reordered/);
  });

  it("truncated after a whole record (no log.close): exit 0 with a warning about the tail", async () => {
    const res = await verifyLog(write("truncated.log", join9(lines.slice(0, 5))));
    expect(res).toMatchObject({ intact: true, records: 5, closed: false });
    expect(res.warnings.join()).toMatch(/does not end with log.close/);
    const { code, out } = await cli(["truncated.log"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^intact: 5 records/);
    expect(out).toMatch(/warning: .*cannot be vouched for/);
  });

  it("torn last line after a crash is a truncated tail, not corruption", async () => {
    const torn = join9(lines.slice(0, 5)) + lines[5].slice(0, 77);
    const res = await verifyLog(write("torn.log", torn));
    expect(res).toMatchObject({ intact: true, records: 5, closed: false, truncatedTail: { line: 6, bytes: 77 } });
    const { code, out } = await cli(["torn.log", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ intact: true, records: 5, truncatedTail: { line: 6 } });
  });

  it("a record moved far back is reordered, not removed", async () => {
    const moved = [lines[0], ...lines.slice(2, 7), lines[1], ...lines.slice(7)];
    expect(await verifyLogText(join9(moved))).toMatchObject({
      intact: false,
      records: 1,
      problem: { line: 2, seq: 3, kind: "reordered" },
    });
  });

  it("a complete last line that is not JSON is tampering, not a crash", async () => {
    const res = await verifyLogText(join9([...lines.slice(0, 5), "garbage"]));
    expect(res).toMatchObject({ intact: false, problem: { line: 6, kind: "malformed" } });
  });

  it("a record whose schema member was edited is still checked (and fails)", async () => {
    const edited = [...lines];
    edited[8] = edited[8].replace('"schema"', '"schemX"');
    expect(await verifyLogText(join9(edited))).toMatchObject({ intact: false, problem: { line: 9, kind: "edited" } });
  });

  it("re-encoded bytes: a byte-order mark, CRLF line ends, escapes or white space added by an editor are caught", async () => {
    expect(await verifyLogText(`\ufeff${lines.join("\n")}\n`)).toMatchObject({
      status: "tampered",
      problem: { line: 1, kind: "noncanonical" },
    });
    expect(await verifyLogText(`${lines.join("\r\n")}\r\n`)).toMatchObject({
      status: "tampered",
      problem: { line: 1, kind: "noncanonical" },
    });
    // the same JSON value, other bytes: \u escapes, spaces after separators
    const escaped = [...lines];
    escaped[3] = escaped[3].replace('"schema"', '"\\u0073chema"');
    expect(await verifyLogText(join9(escaped))).toMatchObject({
      status: "tampered",
      problem: { line: 4, kind: "noncanonical" },
    });
    const spaced = [...lines];
    spaced[5] = spaced[5].replace(/,"/g, ', "');
    expect(await verifyLogText(join9(spaced))).toMatchObject({
      status: "tampered",
      problem: { line: 6, kind: "noncanonical" },
    });
  });

  it("bad usage and unreadable files: exit 2", async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(["a", "b"])).code).toBe(2);
    expect((await cli(["--nope", "ok.log"])).code).toBe(2);
    const missing = await cli(["missing.log"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read missing.log \(ENOENT\)/);
    mkdirSync(join(dir, "adir"), { recursive: true });
    expect((await cli(["adir"])).code).toBe(2);
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: acs-baseline verify-log FILE/);
  });

  it("the built CLI: acs-baseline verify-log FILE", async () => {
    const bin = join(__dirname, "../../packages/cli/dist/esm/bin.js");
    const run = promisify(execFile);
    const ok = await run(process.execPath, [bin, "verify-log", join(dir, "ok.log")]);
    expect(ok.stdout).toMatch(/^intact: 9 records/);
    await expect(run(process.execPath, [bin, "verify-log", join(dir, "edited.log")])).rejects.toMatchObject({
      code: 1,
    });
  });
});
