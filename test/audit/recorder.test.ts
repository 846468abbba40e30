/* eslint-disable @typescript-eslint/no-unsafe-return -- tests read parsed JSON records */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AuditEventInput } from "../../packages/acs-baseline/src/audit/index.js";
import { createAuditRecorder, verifyLog } from "../../packages/acs-baseline/src/audit/index.js";
import { CLIENT, HEX64, ISO, TENANT, THUMB, readRecords, parse } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir();

/** An independent re-implementation of the documented hash rule, as a third party would write it. */
function thirdPartyHash(record: Record<string, unknown>): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  const { hash: _hash, ...rest } = record;
  return createHash("sha256")
    .update(Buffer.from(JSON.stringify(sort(rest)), "utf8"))
    .digest("hex");
}

describe("createAuditRecorder: exact records to a file", () => {
  it("writes the documented schema, chain and log.close", async () => {
    const path = join(dir, "exact.log");
    const r = createAuditRecorder({ destination: path });
    r.setPrincipal({ tenantId: TENANT, clientId: CLIENT, credentialType: "certificate", certificateThumbprint: THUMB });
    r.setEndpoint("https://contoso.communication.azure.com/");
    r.write({ action: "credential.resolve", outcome: "success", controls: ["IM-1", "IM-3"] });
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "SmsClient" });
    r.write({
      action: "token.acquire",
      outcome: "success",
      controls: ["IM-1", "LT-4"],
      token: { expiresOn: "2030-01-01T00:00:00.000Z", scope: "https://communication.azure.com//.default" },
    });
    r.write({
      action: "request",
      outcome: "failure",
      controls: ["IM-1", "LT-4"],
      client: "SmsClient",
      reason: "HTTP 403",
      http: {
        method: "POST",
        path: "/sms?api-version=2021-03-07",
        status: 403,
        requestId: CLIENT,
        correlationId: "abc.0",
        durationMs: 12.6,
      },
      error: { code: "Forbidden" },
    });
    r.write({
      action: "config.warning",
      outcome: "success",
      level: "warn",
      controls: ["IM-8"],
      reason: "key material in the environment",
      variables: ["ACS_CONNECTION_STRING"],
    });
    await r.close();
    await r.close(); // idempotent

    const records = readRecords(path);
    expect(records).toHaveLength(6);
    const principal = {
      certificateThumbprint: THUMB,
      clientId: CLIENT,
      credentialType: "certificate",
      tenantId: TENANT,
    };
    const common = (seq: number) => ({
      schema: "acs-baseline.audit/1",
      seq,
      principal,
      time: expect.stringMatching(ISO),
      hash: expect.stringMatching(HEX64),
      prevHash: expect.stringMatching(HEX64),
    });
    expect(records[0]).toEqual({
      ...common(1),
      prevHash: "0".repeat(64),
      level: "info",
      acs: { endpoint: "contoso.communication.azure.com" },
      baseline: { controls: ["IM-1", "IM-3"] },
      event: { action: "credential.resolve", category: "authentication", outcome: "success" },
    });
    expect(records[1]).toEqual({
      ...common(2),
      level: "info",
      acs: { client: "SmsClient", endpoint: "contoso.communication.azure.com" },
      baseline: { controls: ["IM-1"] },
      event: { action: "client.create", category: "configuration", outcome: "success" },
    });
    expect(records[2]).toEqual({
      ...common(3),
      level: "info",
      acs: { endpoint: "contoso.communication.azure.com" },
      baseline: { controls: ["IM-1", "LT-4"] },
      event: { action: "token.acquire", category: "authentication", outcome: "success" },
      token: { expiresOn: "2030-01-01T00:00:00.000Z", scope: "https://communication.azure.com//.default" },
    });
    expect(records[3]).toEqual({
      ...common(4),
      level: "error",
      acs: { client: "SmsClient", endpoint: "contoso.communication.azure.com" },
      baseline: { controls: ["IM-1", "LT-4"] },
      event: { action: "request", category: "web", outcome: "failure", reason: "HTTP 403" },
      http: { method: "POST", path: "/sms", status: 403, requestId: CLIENT, correlationId: "abc.0", durationMs: 13 },
      error: { code: "Forbidden" },
    });
    expect(records[4]).toEqual({
      ...common(5),
      level: "warn",
      acs: { endpoint: "contoso.communication.azure.com" },
      baseline: { controls: ["IM-8"] },
      event: {
        action: "config.warning",
        category: "configuration",
        outcome: "success",
        reason: "key material in the environment",
      },
      variables: ["ACS_CONNECTION_STRING"],
    });
    expect(records[5]).toEqual({
      ...common(6),
      level: "info",
      acs: { endpoint: "contoso.communication.azure.com" },
      baseline: { controls: ["LT-4"] },
      event: { action: "log.close", category: "audit", outcome: "success" },
      log: { firstSeq: 1, records: 5 },
    });
    // chain: prevHash links, and the hash re-computes with an independent implementation of the documented rule
    for (let i = 0; i < records.length; i++) {
      expect(records[i].hash).toBe(thirdPartyHash(records[i]));
      if (i > 0) expect(records[i].prevHash).toBe(records[i - 1].hash);
    }
    // lines are written in canonical order with hash appended: the line minus hash *is* the canonical JSON
    const firstLine = readFileSync(path, "utf8").split("\n")[0];
    expect(firstLine.startsWith('{"acs":')).toBe(true);
    expect(firstLine.endsWith(`,"hash":"${records[0].hash}"}`)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await verifyLog(path)).toMatchObject({ intact: true, records: 6, closed: true, warnings: [] });
  });

  it("per-record principal overrides (rotation) and later setPrincipal merge", async () => {
    const path = join(dir, "principal.log");
    const r = createAuditRecorder({ destination: path });
    r.setPrincipal({ tenantId: TENANT, clientId: CLIENT, credentialType: "certificate", certificateThumbprint: THUMB });
    const next = "4a".repeat(32);
    r.write({
      action: "credential.rotate",
      outcome: "success",
      controls: ["IM-3"],
      principal: { certificateThumbprint: next },
    });
    r.write({
      action: "request",
      outcome: "success",
      controls: ["LT-4"],
      http: { method: "GET", path: "/x", status: 200, durationMs: 1 },
    });
    r.setPrincipal({ certificateThumbprint: next.toUpperCase() });
    r.write({
      action: "request",
      outcome: "success",
      controls: ["LT-4"],
      http: { method: "GET", path: "/x", status: 200, durationMs: 1 },
    });
    await r.close();
    const [rot, before, after] = readRecords(path);
    expect(rot.principal).toEqual({
      certificateThumbprint: next,
      clientId: CLIENT,
      credentialType: "certificate",
      tenantId: TENANT,
    });
    expect(before.principal.certificateThumbprint).toBe(THUMB);
    expect(after.principal.certificateThumbprint).toBe(next);
  });

  it("continues the chain of an existing file across writers, and across a torn line left by a crash", async () => {
    const path = join(dir, "continue.log");
    const a = createAuditRecorder({ destination: path });
    a.write({ action: "credential.resolve", outcome: "success", controls: ["IM-3"] });
    await a.close();
    const b = createAuditRecorder({ destination: path });
    b.write({ action: "credential.resolve", outcome: "success", controls: ["IM-3"] });
    await b.close();
    let records = readRecords(path);
    expect(records.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(records[2].prevHash).toBe(records[1].hash);
    expect(records[3].log).toEqual({ firstSeq: 3, records: 1 });
    expect(await verifyLog(path)).toMatchObject({ intact: true, records: 4, closed: true });

    // a writer killed mid-line leaves a torn line; the next writer terminates it and links to the last intact record
    appendFileSync(path, '{"acs":{"endpoint":"x"},"baseline":{"contr');
    const c = createAuditRecorder({ destination: path });
    c.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "SmsClient" });
    await c.close();
    records = readRecords(path);
    // the next writer starts a segment with a log.open naming the break (42 bytes + the newline it added)
    expect(records.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(records[4].event.action).toBe("log.open");
    expect(records[4].log).toEqual({ break: "torn", breakBytes: 43, reason: "break" });
    expect(records[4].prevHash).toBe(records[3].hash);
    const v = await verifyLog(path);
    expect(v).toMatchObject({ status: "intact", intact: true, records: 7, closed: true });
    expect(v.warnings.join("\n")).toMatch(/line 5: 1 torn line .*named the break in log.open at line 6/);
  });

  it("level filters lower records (log.close is always written); chain: false writes no chain members", async () => {
    const path = join(dir, "level.log");
    const r = createAuditRecorder({ destination: path, level: "warn", chain: false });
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
    r.write({
      action: "credential.resolve",
      outcome: "success",
      level: "warn",
      controls: ["IM-3"],
      reason: "secret fallback",
    });
    r.write({ action: "refuse", outcome: "failure", controls: ["IM-1"], reason: "connection string" });
    await r.close();
    const records = readRecords(path);
    expect(records.map((x) => [x.event.action, x.level])).toEqual([
      ["credential.resolve", "warn"],
      ["refuse", "error"],
      ["log.close", "info"],
    ]);
    for (const x of records) expect(Object.keys(x)).not.toEqual(expect.arrayContaining(["seq"]));
    expect(records.some((x) => "hash" in x || "prevHash" in x || "seq" in x)).toBe(false);
    expect((await verifyLog(path)).problem?.kind).toBe("unchained");
  });
});

describe("createAuditRecorder: one chain per log", () => {
  it("recorders on the same file in one process share one chain; each close writes log.close", async () => {
    const path = join(dir, "shared.log");
    const sms = createAuditRecorder({ destination: path });
    const identity = createAuditRecorder({ destination: join(dir, ".", "shared.log") });
    sms.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "SmsClient" });
    identity.write({
      action: "client.create",
      outcome: "success",
      controls: ["IM-1"],
      client: "CommunicationIdentityClient",
    });
    sms.write({
      action: "request",
      outcome: "success",
      controls: ["LT-4"],
      client: "SmsClient",
      http: { method: "POST", path: "/sms", status: 202, durationMs: 1 },
    });
    // a recorder that is never closed (e.g. a factory whose constructor threw) does not keep the log from closing
    const neverClosed = createAuditRecorder({ destination: path });
    neverClosed.write({
      action: "refuse",
      outcome: "failure",
      controls: ["IM-1"],
      error: { code: "CONNECTION_STRING_REFUSED" },
    });
    await sms.close();
    identity.write({
      action: "request",
      outcome: "success",
      controls: ["LT-4"],
      client: "CommunicationIdentityClient",
      http: { method: "POST", path: "/identities", status: 201, durationMs: 1 },
    });
    await identity.close();
    const records = readRecords(path);
    expect(records.map((r) => [r.seq, r.event.action, r.acs?.client])).toEqual([
      [1, "client.create", "SmsClient"],
      [2, "client.create", "CommunicationIdentityClient"],
      [3, "request", "SmsClient"],
      [4, "refuse", undefined],
      [5, "log.close", undefined],
      [6, "request", "CommunicationIdentityClient"],
      [7, "log.close", undefined],
    ]);
    expect(records[4].log).toEqual({ firstSeq: 1, records: 4 });
    expect(records[6].log).toEqual({ firstSeq: 1, records: 6 });
    expect(await verifyLog(path)).toMatchObject({ intact: true, records: 7, closed: true });
  });

  it("a third party re-verifies the chain with Python's json + hashlib (documented recipe)", async (ctx) => {
    const python = spawnSync("python3", ["--version"]);
    if (python.status !== 0) ctx.skip();
    const path = join(dir, "python.log");
    const r = createAuditRecorder({ destination: path });
    r.setPrincipal({ tenantId: TENANT, clientId: CLIENT, credentialType: "certificate", certificateThumbprint: THUMB });
    r.write({
      action: "refuse",
      outcome: "failure",
      controls: ["IM-1"],
      reason: 'café ✓ 日本 \u0001 tab\t quote" back\\ 😀 lone \ud800 \u2028',
    });
    r.write({
      action: "request",
      outcome: "success",
      controls: ["LT-4"],
      http: { method: "GET", path: "/ü/ß", durationMs: 3 },
      trace: { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" },
    });
    r.write({
      action: "posture.check",
      outcome: "failure",
      controls: ["IM-1"],
      reason: "local auth: on",
      posture: {
        check: "local-auth-disabled",
        status: "fail",
        resourceId:
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
      },
    });
    await r.close();
    // The recipe's member list as documented (docs/audit-log.md), so the doc cannot fall behind the record members.
    const documented = /^OWN = \{.*\}$/m.exec(
      readFileSync(new URL("../../docs/audit-log.md", import.meta.url), "utf8"),
    )?.[0];
    expect(documented).toBeDefined();
    const script = [
      "import hashlib, json, sys",
      'prev, seq = "0" * 64, 0',
      documented as string,
      'for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):',
      "    rec = json.loads(line)",
      "    own = {k: v for k, v in rec.items() if k in OWN}",
      '    canon = json.dumps(own, sort_keys=True, separators=(",", ":"), ensure_ascii=False)',
      '    assert hashlib.sha256(canon.encode("utf-8")).hexdigest() == rec["hash"], f"line {n} edited"',
      '    assert rec["prevHash"] == prev and rec["seq"] == seq + 1, f"line {n}: chain broken"',
      '    prev, seq = rec["hash"], rec["seq"]',
      "print(seq)",
    ].join("\n");
    const out = spawnSync("python3", ["-c", script, path], { encoding: "utf8" });
    expect(out.stderr).toBe("");
    expect(out.stdout.trim()).toBe("4");
  });
});

describe("createAuditRecorder: other destinations", () => {
  it("a record shows the event as it was at write(), even if the caller reuses and changes its objects", async () => {
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => (out += c.toString()));
    const r = createAuditRecorder({ destination: stream, chain: false });
    const controls: ("IM-1" | "LT-4")[] = ["IM-1"];
    const event = {
      action: "request" as const,
      outcome: "success" as const,
      controls,
      http: { method: "GET", path: "/a", status: 200, durationMs: 1 },
    };
    r.write(event); // queued (request records are batched)
    event.http.path = "/b";
    event.http.status = 500;
    controls.push("LT-4");
    r.write(event);
    await r.close();
    const [a, b] = out.trim().split("\n").map(parse);
    expect([a.http.path, a.http.status, a.baseline.controls]).toEqual(["/a", 200, ["IM-1"]]);
    expect([b.http.path, b.http.status, b.baseline.controls]).toEqual(["/b", 500, ["IM-1", "LT-4"]]);
  });

  it("undefined options give a no-op recorder", async () => {
    const r = createAuditRecorder(undefined);
    r.setPrincipal({ clientId: CLIENT });
    r.setEndpoint("x");
    r.write({ action: "request", outcome: "success", controls: ["LT-4"] });
    await expect(r.close()).resolves.toBeUndefined();
  });

  it("writes to a caller-owned stream and never throws into the caller", async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c.toString()));
    const r = createAuditRecorder({ destination: stream });
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "IdentityClient" });
    // garbage from a buggy observer: still no throw, still a record
    const garbage = {
      action: "weird",
      outcome: "nope",
      controls: ["bad", 42],
      http: { method: "get it", path: 5, durationMs: NaN },
      token: null,
    };
    r.write(garbage as unknown as AuditEventInput);
    r.write(null as unknown as AuditEventInput);
    await r.close();
    const records = chunks.join("").trim().split("\n").map(parse);
    expect(records.map((x) => x.event.action)).toEqual(["client.create", "weird", "log.close"]);
    expect(records[1].event.outcome).toBe("failure");
    expect(records[1].baseline.controls).toEqual([]);
    expect(records[2].log).toEqual({ firstSeq: 1, records: 2 });
    expect(stream.writableEnded).toBe(false); // we never end a stream we do not own
  });

  it("writes through a child of the application's pino logger; the chain verifies despite the host's own members", async () => {
    const path = join(dir, "app.log");
    const dest = pino.destination({ dest: path, sync: true });
    const app = pino({ base: { service: "contoso-app" } }, dest);
    app.info("app starting");
    const r = createAuditRecorder({ logger: app });
    r.setEndpoint("contoso.communication.azure.com");
    r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: "SmsClient" });
    app.info({ user: "x" }, "app line between records");
    r.write({
      action: "token.acquire",
      outcome: "failure",
      controls: ["IM-1"],
      error: { code: "invalid_client", message: "AADSTS700027" },
    });
    await r.close();
    dest.flushSync();
    const lines = readFileSync(path, "utf8").trim().split("\n").map(parse);
    const audit = lines.filter((l) => l.schema === "acs-baseline.audit/1");
    expect(audit.map((x) => [x.event.action, x.level, x.service, x.seq])).toEqual([
      ["client.create", "info", "contoso-app", 1],
      ["token.acquire", "error", "contoso-app", 2],
      ["log.close", "info", "contoso-app", 3],
    ]);
    // strict (file) mode: the host's lines are insertions; logger mode skips and counts them
    expect((await verifyLog(path)).status).toBe("tampered");
    const v = await verifyLog(path, { loggerMode: true });
    expect(v).toMatchObject({ intact: true, records: 3, closed: true, otherLines: 2 });
    // a record-shaped line inserted among them is still caught
    const text = readFileSync(path, "utf8").split("\n");
    const forged = { ...parse(text[1]), seq: 2 };
    text.splice(2, 0, JSON.stringify(forged));
    writeFileSync(path, text.join("\n"));
    expect(await verifyLog(path, { loggerMode: true })).toMatchObject({ status: "tampered", problem: { line: 3 } });
  });

  it("acs.endpoint is the host only: no scheme, path, query or user info; secret-shaped endpoints are not echoed", async () => {
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => (out += c.toString()));
    const endpoints = [
      "https://contoso.communication.azure.com/?sig=abc",
      "contoso.communication.azure.com",
      "https://user:pa55word@contoso.communication.azure.com:8443/x",
      "endpoint=https://contoso.communication.azure.com/;accesskey=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MjQy",
      "not a url at all",
    ];
    for (const endpoint of endpoints) {
      const r = createAuditRecorder({ destination: stream, chain: false });
      r.setEndpoint(endpoint);
      r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
      await r.close();
    }
    const hosts = out
      .trim()
      .split("\n")
      .map(parse)
      .filter((r) => r.event.action === "client.create")
      .map((r) => r.acs.endpoint);
    expect(hosts).toEqual([
      "contoso.communication.azure.com",
      "contoso.communication.azure.com",
      "contoso.communication.azure.com:8443",
      "invalid-host",
      "invalid-host",
    ]);
    expect(out).not.toContain("pa55word");
    expect(out).not.toContain("QUJDREVGR0hJSktM");
  });

  it("a failing disk never throws into the caller: one process warning, records held in memory and retried", async (ctx) => {
    if (!existsSync("/dev/full")) ctx.skip();
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? "");
    process.on("warning", onWarning);
    try {
      const r = createAuditRecorder({ destination: "/dev/full" });
      expect(() => {
        r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
        r.write({ action: "client.create", outcome: "success", controls: ["IM-1"] });
        // and the batched path: more request records than one batch holds
        for (let i = 0; i < 600; i++) {
          r.write({
            action: "request",
            outcome: "success",
            controls: ["IM-1", "LT-4"],
            client: "SmsClient",
            http: { method: "POST", path: "/sms", status: 202, durationMs: 1 },
          });
        }
      }).not.toThrow();
      await r.close();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual(["ACS_BASELINE_AUDIT_WRITE_FAILED"]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("a destination that cannot be opened throws at creation, not later", () => {
    writeFileSync(join(dir, "file"), "");
    expect(() => createAuditRecorder({ destination: join(dir, "file", "sub", "a.log") })).toThrow();
  });
});
