/* eslint-disable @typescript-eslint/no-unsafe-return -- tests read parsed JSON records */
// Signed checkpoints (both signing forms, incl. a test double of @azure/keyvault-keys CryptographyClient), the file
// anchor, and every tamper case of issue 15 with and without the key and the anchor.
import { spawn } from "node:child_process";
import { createPrivateKey, generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import { existsSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createAuditRecorder, verifyLog, verifyLogText } from "../../packages/acs-baseline/src/audit/index.js";
import { canonicalJson, sha256Hex } from "../../packages/acs-baseline/src/audit/record/canonical.js";
import { verifyLogCommand } from "../../packages/cli/src/commands/verifyLog.js";
import { runCaptured } from "../support/captureOutput.js";
import type { Rec } from "../support/auditRecords.js";
import { parse, REQUEST } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-checkpoints-");
const keyDir = tempDir("acs-checkpoint-keys-");
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const PRIVATE_PEM = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
const OTHER_PUBLIC_PEM = other.publicKey.export({ type: "spki", format: "pem" }).toString();
const keyPath = join(keyDir, "audit-signing.pem");
const pubPath = join(keyDir, "audit-signing.pub.pem");
const otherPubPath = join(keyDir, "other.pub.pem");
writeFileSync(keyPath, PRIVATE_PEM, { mode: 0o600 });
writeFileSync(pubPath, PUBLIC_PEM);
writeFileSync(otherPubPath, OTHER_PUBLIC_PEM);

async function writeSigned(
  name: string,
  count: number,
  extra: Record<string, unknown> = {},
): Promise<{ path: string; lines: string[] }> {
  const path = join(dir, name);
  const r = createAuditRecorder({
    destination: path,
    signing: { privateKey: keyPath, keyId: "test-key" },
    checkpoint: { everyRecords: 10, everyMs: 0 },
    ...extra,
  });
  for (let i = 0; i < count; i++) r.write({ ...REQUEST(i), controls: ["IM-1", "LT-4"] });
  await r.close();
  return { path, lines: readFileSync(path, "utf8").trimEnd().split("\n") };
}

/**
 * Recomputes seq/prevHash/hash from line `from` on, as someone without the key would after an edit — including the
 * head hash each later checkpoint names (`heads: false` leaves those, a careless forger).
 */
function rechain(lines: string[], from: number, heads = true): string[] {
  const out = lines.slice(0, from);
  const hashOf = new Map<number, string>(out.map((l) => [parse(l).seq as number, parse(l).hash as string]));
  let prev = from > 0 ? (parse(out[from - 1]).hash as string) : "0".repeat(64);
  let seq = from > 0 ? (parse(out[from - 1]).seq as number) : 0;
  for (const line of lines.slice(from)) {
    const { hash: _h, ...rec } = parse(line);
    rec.prevHash = prev;
    rec.seq = ++seq;
    if (rec.log?.firstSeq !== undefined) rec.log.records = rec.seq - rec.log.firstSeq;
    if (heads && rec.checkpoint?.seq !== undefined && hashOf.has(rec.checkpoint.seq as number))
      rec.checkpoint.hash = hashOf.get(rec.checkpoint.seq as number);
    const canon = canonicalJson(rec);
    prev = sha256Hex(canon);
    hashOf.set(seq, prev);
    out.push(`${canon.slice(0, -1)},"hash":"${prev}"}`);
  }
  return out;
}
const text = (ls: string[]) => `${ls.join("\n")}\n`;
const actions = (ls: string[]) => ls.map((l) => parse(l).event.action as string);

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCaptured((io) => verifyLogCommand(args, { ...io, env: {}, cwd: dir, stderrIsTTY: false }));
}

/**
 * A test double of `@azure/keyvault-keys` `CryptographyClient`, written from its documented signature
 * `signData(algorithm: string, data: Uint8Array, options?: SignOptions): Promise<SignResult>` with
 * `SignResult = { result: Uint8Array; keyID?: string; algorithm: string }`. For `ES256` Key Vault hashes `data` with
 * SHA-256 and returns the JWS signature form r‖s (64 bytes). The key never leaves the double, as it never leaves the
 * vault. (`sign(algorithm, digest)` fits too, given `createHash("sha256").update(data).digest()`; node:crypto cannot
 * sign a precomputed digest with ECDSA, so the double does not offer it.)
 */
class CryptographyClientDouble {
  readonly calls: { op: string; algorithm: string; bytes: number }[] = [];
  readonly #key = createPrivateKey(PRIVATE_PEM);
  constructor(readonly keyID: string) {}
  signData(algorithm: string, data: Uint8Array): Promise<{ result: Uint8Array; keyID?: string; algorithm: string }> {
    this.calls.push({ op: "signData", algorithm, bytes: data.length });
    if (algorithm !== "ES256") return Promise.reject(new Error("unsupported"));
    const sig = cryptoSign("sha256", Buffer.from(data), { key: this.#key, dsaEncoding: "ieee-p1363" });
    return new Promise((resolve) =>
      setTimeout(() => resolve({ result: new Uint8Array(sig), keyID: this.keyID, algorithm }), 5),
    ); // a network round trip
  }
}

let signed: { path: string; lines: string[] };
beforeAll(async () => {
  signed = await writeSigned("signed.log", 25);
});

describe("signed checkpoints", () => {
  it("every N records, chained by prevSig, and a final checkpoint that seals log.close; verifies with the public key only", async () => {
    const { path, lines } = signed;
    expect(actions(lines).filter((a) => a === "log.checkpoint")).toHaveLength(3);
    const cps = lines.map(parse).filter((r) => r.event.action === "log.checkpoint");
    // log.open (seq 1), 25 records, 2 checkpoints, log.close (seq 29), final checkpoint
    expect(cps.map((c) => c.checkpoint.seq)).toEqual([10, 21, 29]);
    expect(parse(lines[0])).toMatchObject({
      seq: 1,
      event: { action: "log.open" },
      log: { reason: "start", heartbeatMs: 0 },
    }); // everyMs: 0, no heartbeat
    const logId = parse(lines[0]).log.id as string;
    expect(logId).toMatch(/^[0-9a-f]{32}$/);
    expect(cps[0].checkpoint).toMatchObject({
      alg: "ES256",
      keyId: "test-key",
      prevSig: "",
      logId,
      open: 1,
      time: cps[0].time,
    });
    expect(cps[2].checkpoint).toMatchObject({ logId, close: true });
    expect(cps[1].checkpoint.close).toBeUndefined();
    expect(cps[1].checkpoint.prevSig).toBe(cps[0].checkpoint.sig);
    expect(cps[2].checkpoint.prevSig).toBe(cps[1].checkpoint.sig);
    expect(Buffer.from(cps[0].checkpoint.sig as string, "base64url")).toHaveLength(64);
    expect(actions(lines).slice(-2)).toEqual(["log.close", "log.checkpoint"]);
    expect(await verifyLog(path, { publicKey: PUBLIC_PEM })).toMatchObject({
      status: "intact",
      records: 30,
      checkpoints: 3,
      closed: true,
      sealedSeq: 29,
      logId,
    });
    const { code, out } = await cli(["signed.log", "--public-key", pubPath]);
    expect(code).toBe(0);
    expect(out).toMatch(/^intact: 30 records \(seq 1\.\.30, closed\), 3 checkpoints \(sealed to seq 29\)/);
  });

  it("a remote signer fits the second form: the @azure/keyvault-keys CryptographyClient double (signData)", async () => {
    for (const mode of ["signData"] as const) {
      const kv = new CryptographyClientDouble("https://contoso.vault.azure.net/keys/audit/0123456789abcdef");
      const path = join(dir, `kv-${mode}.log`);
      const r = createAuditRecorder({
        destination: path,
        checkpoint: { everyRecords: 10, everyMs: 0 },
        signing: {
          sign: async (data) => (await kv.signData("ES256", data)).result,
          publicKey: PUBLIC_PEM,
          keyId: kv.keyID,
        },
      });
      for (let i = 0; i < 30; i++) r.write(REQUEST(i));
      await new Promise((res) => setTimeout(res, 20));
      for (let i = 30; i < 35; i++) r.write(REQUEST(i));
      await r.close();
      expect(kv.calls.length).toBeGreaterThanOrEqual(2);
      expect(kv.calls.every((c) => c.algorithm === "ES256")).toBe(true);
      const recs = readFileSync(path, "utf8").trimEnd().split("\n").map(parse);
      expect(recs.at(-1)!.event.action).toBe("log.checkpoint");
      expect(recs.at(-1)!.checkpoint.keyId).toBe(kv.keyID);
      const v = await verifyLog(path, { publicKey: PUBLIC_PEM });
      expect(v, mode).toMatchObject({ status: "intact", closed: true });
      expect(v.checkpoints).toBeGreaterThanOrEqual(2);
    }
  });

  it("a remote signature that does not verify with the configured public key is not written as a checkpoint", async () => {
    const path = join(dir, "badsigner.log");
    const r = createAuditRecorder({
      destination: path,
      checkpoint: { everyRecords: 5, everyMs: 0 },
      signing: {
        sign: (data) =>
          Promise.resolve(
            new Uint8Array(
              cryptoSign("sha256", Buffer.from(data), { key: other.privateKey, dsaEncoding: "ieee-p1363" }),
            ),
          ),
        publicKey: PUBLIC_PEM,
        keyId: "k",
      },
    });
    for (let i = 0; i < 6; i++) r.write(REQUEST(i));
    await r.close();
    const recs = readFileSync(path, "utf8").trimEnd().split("\n").map(parse);
    expect(recs.some((x) => x.event.action === "log.checkpoint")).toBe(false);
    expect(recs.find((x) => x.event.action === "anchor.failure")?.error.code).toBe("SIGNATURE_INVALID");
    expect((await verifyLog(path, { publicKey: PUBLIC_PEM })).status).toBe("incomplete");
  });

  it("only P-256 keys; a key file in the log's own directory is refused", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(() => createAuditRecorder({ destination: join(dir, "rsa.log"), signing: { privateKey: rsa } })).toThrow(
      /ECDSA P-256/,
    );
    const inLogDir = join(dir, "key-next-to-log.pem");
    writeFileSync(inLogDir, PRIVATE_PEM, { mode: 0o600 });
    expect(() =>
      createAuditRecorder({ destination: join(dir, "keydir.log"), signing: { privateKey: inLogDir } }),
    ).toThrow(/own directory/);
  });

  it("reopen() with a remote signer: records wait while the old file's final checkpoint is signed; both files verify as one chain", async () => {
    const kv = new CryptographyClientDouble("https://contoso.vault.azure.net/keys/audit/1");
    const path = join(dir, "kv-reopen.log");
    const r = createAuditRecorder({
      destination: path,
      checkpoint: { everyRecords: 5, everyMs: 0 },
      signing: { sign: async (d) => (await kv.signData("ES256", d)).result, publicKey: PUBLIC_PEM, keyId: kv.keyID },
    });
    for (let i = 0; i < 7; i++) r.write(REQUEST(i));
    renameSync(path, `${path}.1`);
    const reopened = r.reopen();
    for (let i = 7; i < 10; i++)
      r.write({ action: "client.create", outcome: "success", controls: ["IM-1"], client: `C${i}` }); // during the switch
    await reopened;
    await r.close();
    const old = readFileSync(`${path}.1`, "utf8").trimEnd().split("\n").map(parse);
    expect(old.at(-1)!.event.action).toBe("log.checkpoint");
    expect(old.some((x) => x.acs?.client === "C7")).toBe(false);
    expect(
      readFileSync(path, "utf8")
        .split("\n")
        .map((l) => (l === "" ? undefined : parse(l).event.action))[0],
    ).toBe("log.open");
    expect(await verifyLog([`${path}.1`, path], { publicKey: PUBLIC_PEM })).toMatchObject({
      status: "intact",
      closed: true,
      firstSeq: 1,
    });
  });

  it.skipIf(!existsSync(join(__dirname, "../../packages/acs-baseline/dist/esm/audit/write/signing.js")))(
    "process.exit() without close(): the exit hook seals what it flushes (in-process key)",
    async () => {
      const path = join(dir, "exit-sealed.log");
      const dist = join(__dirname, "../../packages/acs-baseline/dist/esm/index.js");
      const script = `import("${dist}").then(({ createAuditRecorder }) => { const r = createAuditRecorder({ destination: ${JSON.stringify(path)}, signing: { privateKey: ${JSON.stringify(keyPath)} } }); for (let i = 0; i < 7; i++) r.write({ action: "request", outcome: "success", controls: ["LT-4"], client: "SmsClient", http: { method: "POST", path: "/sms", status: 202, durationMs: 1 } }); process.exit(0); })`;
      await new Promise<void>((resolve, reject) =>
        spawn(process.execPath, ["-e", script], { stdio: "ignore" }).on("close", (code) =>
          code === 0 ? resolve() : reject(new Error(`exit ${code}`)),
        ),
      );
      const recs = readFileSync(path, "utf8").trimEnd().split("\n").map(parse);
      expect(recs.map((x) => x.event.action)).toEqual([
        "log.open",
        ...Array<string>(7).fill("request"),
        "log.checkpoint",
      ]);
      expect(await verifyLog(path, { publicKey: PUBLIC_PEM })).toMatchObject({
        status: "intact",
        closed: false,
        sealedSeq: 8,
      });
    },
  );

  it("heartbeat: with nothing to write, a checkpoint still comes every everyMs", async () => {
    const path = join(dir, "heartbeat.log");
    const r = createAuditRecorder({ destination: path, signing: { privateKey: keyPath }, checkpoint: { everyMs: 40 } });
    r.write(REQUEST(0));
    await new Promise((res) => setTimeout(res, 230));
    const beats = readFileSync(path, "utf8")
      .trimEnd()
      .split("\n")
      .map(parse)
      .filter((x) => x.event.action === "log.checkpoint");
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(new Set(beats.map((b) => b.checkpoint.seq)).size).toBeGreaterThanOrEqual(2); // each beat seals the head, which includes the previous beat
    await r.close();
    // the default max gap would be 2 × 40 ms: a loaded test host can delay a timer that long (see the silence tests)
    const v = await verifyLog(path, { publicKey: pubPath, maxGapMs: 2000 });
    expect(v.status, v.reasons.join()).toBe("intact");
  });
});

describe("tamper cases, with and without the key", () => {
  it("a rechained edit made without the key: the chain alone cannot tell, the signatures can", async () => {
    const lines = [...signed.lines];
    const rec = parse(lines[4]);
    rec.http.status = 500;
    const { hash: _h, ...own } = rec;
    lines[4] = JSON.stringify(own);
    const forged = rechain(lines, 4);
    writeFileSync(join(dir, "rechained.log"), text(forged));
    expect((await verifyLogText(text(forged))).status).toBe("intact"); // no key: a self-consistent rewrite
    const v = await verifyLogText(text(forged), { publicKey: PUBLIC_PEM });
    expect(v).toMatchObject({ status: "tampered", problem: { kind: "forged", line: 11 } });
    expect(v.problem!.message).toMatch(/signature is invalid/);
    // a careless forger who leaves the checkpoints' head hashes is caught even without the key
    const careless = await verifyLogText(text(rechain(lines, 4, false)));
    expect(careless).toMatchObject({ status: "tampered", problem: { kind: "forged", line: 11 } });
    expect(careless.problem!.message).toMatch(/rewritten \(and rechained\)/);
    expect((await cli(["rechained.log", "--public-key", pubPath])).code).toBe(1);
  });

  it("a cut tail with a forged close: passes the chain alone, caught with the key (close not sealed) and with the anchor", async () => {
    const anchor = join(dir, "cut.anchor");
    const { lines } = await writeSigned("cut-src.log", 25, { anchor: { file: { path: anchor } } });
    const kept = lines.slice(0, 15); // up to seq 15
    const close = parse(lines.at(-2)!);
    expect(close.event.action).toBe("log.close");
    const { hash: _h, ...own } = close;
    own.log = { firstSeq: 1, records: 15 };
    const forged = rechain([...kept, JSON.stringify(own)], 15);
    writeFileSync(join(dir, "cut.log"), text(forged));
    expect(await verifyLogText(text(forged))).toMatchObject({ status: "intact", closed: true }); // the old blind spot
    const v = await verifyLogText(text(forged), { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join("\n")).toMatch(/log.close .* is not sealed by a checkpoint/);
    // the anchor, without the key
    const anchorLines = readFileSync(anchor, "utf8").trimEnd().split("\n");
    expect(anchorLines.map((l) => parse(l).event.action)).toEqual([
      "log.checkpoint",
      "log.checkpoint",
      "log.checkpoint",
    ]);
    const a = await verifyLogText(text(forged), { anchorLines });
    expect(a.status).not.toBe("intact");
    expect(a.reasons.join("\n")).toMatch(/anchor/);
    const { code, out } = await cli(["cut.log", "--anchor", "cut.anchor", "--json"]);
    expect(code).toBe(1);
    const json = JSON.parse(out) as Rec;
    expect(json.status).toMatch(/tampered|incomplete/);
    expect(Object.keys(json).slice(0, 3)).toEqual(["status", "records", "checkpoints"]);
    expect(Array.isArray(json.reasons) && json.reasons.length > 0).toBe(true);
  });

  it("a cut tail without a forged close: the anchor holds a later checkpoint; the key alone sees unsealed records only if any remain", async () => {
    const anchor = join(dir, "cut2.anchor");
    const { path, lines } = await writeSigned("cut2.log", 25, { anchor: { file: { path: anchor } } });
    writeFileSync(path, text(lines.slice(0, 11))); // cut right after the first checkpoint: what is left is sealed
    expect((await verifyLog(path, { publicKey: PUBLIC_PEM })).status).toBe("intact"); // a cut at a checkpoint looks complete…
    const anchorLines = readFileSync(anchor, "utf8").trimEnd().split("\n");
    const v = await verifyLog(path, { publicKey: PUBLIC_PEM, anchorLines });
    expect(v.status).toBe("incomplete"); // …the anchor says otherwise
    expect(v.reasons.join("\n")).toMatch(/cut tail: the anchor holds seq 30 .* the file ends at seq 11/);
    const { code, out } = await cli(["cut2.log", "--anchor", "cut2.anchor", "--public-key", pubPath]);
    expect(code).toBe(1);
    expect(out).toMatch(/^INCOMPLETE/);
  });

  it("an empty or missing file that the anchor says had records", async () => {
    const anchor = join(dir, "gone.anchor");
    const { path } = await writeSigned("gone.log", 12, { anchor: { file: { path: anchor } } });
    truncateSync(path, 0);
    const anchorLines = readFileSync(anchor, "utf8").trimEnd().split("\n");
    expect((await verifyLog(path, { anchorLines })).reasons.join()).toMatch(/holds no records, but the anchor holds/);
    expect((await cli(["gone.log", "--anchor", "gone.anchor"])).code).toBe(1);
    expect((await cli(["never-existed.log", "--anchor", "gone.anchor"])).code).toBe(1);
    expect((await cli(["never-existed.log"])).code).toBe(2);
    // with the key, an empty file has no valid checkpoint: incomplete
    const empty = await cli(["gone.log", "--public-key", pubPath]);
    expect(empty.code).toBe(1);
    expect(empty.out).toMatch(/no valid checkpoint/);
  });

  it("a wrong public key: the signatures are invalid, exit 1", async () => {
    const v = await verifyLog(signed.path, { publicKey: OTHER_PUBLIC_PEM });
    expect(v).toMatchObject({ status: "tampered", problem: { kind: "forged" } });
    expect((await cli(["signed.log", "--public-key", otherPubPath])).code).toBe(1);
  });

  it("a forged or unsigned checkpoint, and a removed checkpoint (rechained), are caught with the key", async () => {
    const lines = [...signed.lines];
    // unsigned: drop sig and keyId from the first checkpoint and rechain
    const cp = parse(lines[10]);
    const { hash: _h, ...own } = cp;
    delete own.checkpoint.sig;
    lines[10] = JSON.stringify(own);
    const unsigned = rechain(lines, 10);
    expect((await verifyLogText(text(unsigned))).status).toBe("intact");
    expect(await verifyLogText(text(unsigned), { publicKey: PUBLIC_PEM })).toMatchObject({
      status: "tampered",
      problem: { kind: "forged", line: 11 },
    });
    // a signature copied from another checkpoint
    const copied = [...signed.lines];
    const cp2 = parse(copied[21]);
    const { hash: _h2, ...own2 } = cp2;
    own2.checkpoint.sig = parse(copied[10]).checkpoint.sig;
    copied[21] = JSON.stringify(own2);
    expect(await verifyLogText(text(rechain(copied, 21)), { publicKey: PUBLIC_PEM })).toMatchObject({
      status: "tampered",
      problem: { kind: "forged" },
    });
    // the first checkpoint removed and the rest rechained: the next one's prevSig no longer matches
    const removed = [...signed.lines];
    removed.splice(10, 1);
    const r = await verifyLogText(text(rechain(removed, 10)), { publicKey: PUBLIC_PEM });
    expect(r.status).toBe("tampered");
  });

  it("unsealed records: a writer that died after its last checkpoint is incomplete with the key, unless within --max-gap of the end", async () => {
    const lines = signed.lines.slice(0, 16); // checkpoint at line 11, 5 records after it, no close
    const v = await verifyLogText(text(lines), { publicKey: PUBLIC_PEM });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join()).toMatch(/5 record\(s\) from seq 12 \(line 12\) on are unsealed/);
    expect(v.firstBadLine).toBe(12);
    expect((await verifyLogText(text(lines), { publicKey: PUBLIC_PEM, maxGapMs: 60_000 })).status).toBe("intact");
    writeFileSync(join(dir, "unsealed.log"), text(lines));
    expect((await cli(["unsealed.log", "--public-key", pubPath])).code).toBe(1);
    expect((await cli(["unsealed.log", "--public-key", pubPath, "--max-gap", "1m"])).code).toBe(0);
    expect((await cli(["unsealed.log", "--max-gap", "soon"])).code).toBe(2);
  });

  it("an anchor line beyond the file's end is a cut tail, found by seq (its edited time plays no part)", async () => {
    const anchorLines = signed.lines.filter((l) => parse(l).event.action === "log.checkpoint");
    // the file lost everything after its first checkpoint; the anchor's last heartbeat is an hour later
    const last = parse(anchorLines.at(-1)!);
    const { hash: _h, ...own } = last;
    own.time = new Date(Date.parse(own.time as string) + 3_600_000).toISOString();
    const laterBeat = rechain([...signed.lines, JSON.stringify(own)], signed.lines.length).at(-1)!;
    const v = await verifyLogText(text(signed.lines), {
      publicKey: PUBLIC_PEM,
      anchorLines: [...anchorLines, laterBeat],
      maxGapMs: 60_000,
    });
    expect(v.status).toBe("incomplete");
    expect(v.reasons.join()).toMatch(/cut tail: the anchor holds seq 31/);
  });

  it("insertions: a non-record line, an extra member, a duplicate member; deletion and reordering", async () => {
    const lines = signed.lines;
    const ins = [...lines];
    ins.splice(3, 0, '{"msg":"hello"}');
    expect(await verifyLogText(text(ins))).toMatchObject({
      status: "tampered",
      problem: { line: 4, kind: "inserted" },
    });
    const extra = [...lines];
    extra[3] = extra[3].replace('{"acs"', '{"note":"x","acs"');
    expect(await verifyLogText(text(extra))).toMatchObject({
      status: "tampered",
      problem: { line: 4, kind: "noncanonical" },
    });
    const dup = [...lines];
    dup[3] = dup[3].replace(/,"hash":/, ',"level":"info","hash":');
    expect(await verifyLogText(text(dup))).toMatchObject({
      status: "tampered",
      problem: { line: 4, kind: "noncanonical" },
    });
    const del = [...lines];
    del.splice(5, 1);
    expect(await verifyLogText(text(del))).toMatchObject({ status: "tampered", problem: { line: 6, kind: "removed" } });
    const re = [...lines];
    [re[5], re[6]] = [re[6], re[5]];
    expect(await verifyLogText(text(re))).toMatchObject({
      status: "tampered",
      problem: { line: 6, kind: "reordered" },
    });
  });

  it("an overlong line is rejected as soon as it exceeds the limit, without reading further", async () => {
    const path = join(dir, "overlong.log");
    writeFileSync(
      path,
      `${signed.lines.slice(0, 3).join("\n")}\n${"x".repeat(3 << 20)}\n${signed.lines.slice(3).join("\n")}\n`,
    );
    const v = await verifyLog(path);
    expect(v).toMatchObject({ status: "tampered", records: 3, problem: { line: 4, kind: "overlong" } });
    expect((await cli(["overlong.log", "--json"])).code).toBe(1);
  });
});

describe("anchor", () => {
  it("an anchor that cannot be written: anchor.failure records, retries, and the log itself still verifies", async () => {
    const path = join(dir, "anchorfail.log");
    const r = createAuditRecorder({
      destination: path,
      checkpoint: { everyRecords: 5, everyMs: 0 },
      anchor: { file: { path: join(dir, "no-such-dir", "x.anchor") } },
    });
    for (let i = 0; i < 12; i++) r.write(REQUEST(i));
    // The failure is recorded while the log is open (after log.close it would be an unsealed tail: a process warning then).
    for (
      let waited = 0;
      waited < 5000 && !(existsSync(path) && readFileSync(path, "utf8").includes('"anchor.failure"'));
      waited += 20
    )
      await new Promise((res) => setTimeout(res, 20));
    await r.close();
    const recs = readFileSync(path, "utf8").trimEnd().split("\n").map(parse);
    const failure = recs.find((x) => x.event.action === "anchor.failure");
    expect(failure).toMatchObject({ level: "warn", error: { code: "ENOENT" }, anchor: { attempt: 1 } });
    expect((await verifyLog(path)).status).toBe("intact");
  });

  it("records mode: every line goes to the anchor; an edit, even rechained, differs from the anchor's copy", async () => {
    const anchor = join(dir, "records.anchor");
    const { lines } = await writeSigned("records.log", 12, { anchor: { file: { path: anchor, mode: "records" } } });
    const anchorLines = readFileSync(anchor, "utf8").trimEnd().split("\n");
    expect(anchorLines).toEqual(lines);
    const edited = [...lines];
    const rec = parse(edited[2]);
    const { hash: _h, ...own } = rec;
    own.http.path = "/sms/other";
    edited[2] = JSON.stringify(own);
    const v = await verifyLogText(text(rechain(edited, 2)), { anchorLines });
    expect(v).toMatchObject({ status: "tampered", problem: { line: 3, kind: "anchor" } });
  });

  it.skipIf(!existsSync(join(__dirname, "../../packages/acs-baseline/dist/esm/audit/write/anchor/fileAnchor.js")))(
    "SIGKILL mid-burst with an anchor: the honest file verifies within one heartbeat; a cut tail is caught",
    async () => {
      const log = join(dir, "killed.log");
      const anchor = join(dir, "killed.anchor");
      const everyMs = 100;
      const child = spawn(
        process.execPath,
        [join(__dirname, "fixtures", "anchoredWriter.mjs"), log, anchor, keyPath, String(everyMs)],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      await new Promise<void>((resolve) =>
        child.stderr.on("data", (c: Buffer) => c.toString().includes("ready") && resolve()),
      );
      await new Promise((res) => setTimeout(res, 3 * everyMs));
      child.kill("SIGKILL");
      await new Promise((res) => child.on("close", res));
      const anchorLines = readFileSync(anchor, "utf8").trimEnd().split("\n");
      // (a loaded test host can delay a 100 ms timer longer than 2 × everyMs: the max gap is widened, silence is not the point)
      const honest = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines, maxGapMs: 5000 });
      expect(honest.status, honest.reasons.join()).toBe("intact");
      // an attacker cuts the tail back to before the anchor's last checkpoint
      const lines = readFileSync(log, "utf8").split("\n");
      const lastAnchored = parse(anchorLines.at(-1)!).seq as number;
      const cutAt = lines.findIndex((l) => l.length > 0 && parse(l).seq === lastAnchored - 1);
      writeFileSync(log, text(lines.slice(0, cutAt)));
      const cut = await verifyLog(log, { publicKey: PUBLIC_PEM, anchorLines, maxGapMs: 2 * everyMs });
      expect(cut.status).toBe("incomplete");
      expect(cut.reasons.join()).toMatch(/cut tail/);
      expect(
        (
          await cli([
            "killed.log",
            "--anchor",
            "killed.anchor",
            "--public-key",
            pubPath,
            "--max-gap",
            `${2 * everyMs}ms`,
          ])
        ).code,
      ).toBe(1);
    },
  );
});
