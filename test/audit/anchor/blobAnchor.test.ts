/**
 * The blob anchor against real Azurite (HTTPS, --oauth basic), with a real @azure/identity credential from our
 * emulator's Entra side and the real @azure/storage-blob client. No test doubles of our own code.
 */
import type { ClientCertificateCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import type { StoragePipelineOptions } from "@azure/storage-blob";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { beforeAll, describe, expect, it } from "vitest";
import type { AnchorEvents } from "../../../packages/acs-baseline/src/audit/write/anchor/anchorSink.js";
import { createBlobAnchor } from "../../../packages/acs-baseline/src/audit/write/anchor/blobAnchor.js";
import { checkBlobAnchorOptions } from "../../../packages/acs-baseline/src/audit/write/anchor/blobAnchorOptions.js";
import type { BlobAnchorOptions } from "../../../packages/acs-baseline/src/audit/write/anchor/blobAnchorOptions.js";
import {
  anchorPartName,
  defaultAnchorBlobName,
} from "../../../packages/acs-baseline/src/audit/write/anchor/blobClient.js";
import { loadStorageBlob } from "../../../packages/acs-baseline/src/audit/write/anchor/loadStorageBlob.js";
import { readAnchorLines } from "../../../packages/acs-baseline/src/audit/write/anchor/readBlobAnchor.js";
import { isBaselineViolationError } from "../../../packages/acs-baseline/src/errors.js";
import type { Emulator, TestApplication } from "../../../packages/emulator/src/index.js";
import { ACS_SCOPE, STORAGE_SCOPE } from "../../../packages/emulator/src/index.js";
import type { Azurite } from "../../support/azurite.js";
import { useEmulator } from "../../support/useEmulator.js";
import { useAzurite } from "../../support/azurite.js";
import { certificateCredential } from "../../support/certificateCredential.js";

let emu: Emulator;
let app: TestApplication;
let azurite: Azurite;
let credential: ClientCertificateCredential;
let containerUrl: string;
const CONTAINER = "audit-anchor";

type Failure = Parameters<AnchorEvents["onFailure"]>[0];
interface Recorded extends AnchorEvents {
  failures: Failure[];
  recoveries: { attempt: number }[];
}
function recordEvents(): Recorded {
  const failures: Failure[] = [];
  const recoveries: { attempt: number }[] = [];
  return { failures, recoveries, onFailure: (f) => failures.push(f), onRecovered: (r) => recoveries.push(r) };
}

let blobCounter = 0;
function options(extra: Partial<BlobAnchorOptions> = {}): BlobAnchorOptions {
  blobCounter++;
  return {
    containerUrl,
    blobName: `test/${process.pid}/${blobCounter}.jsonl`,
    allowedHosts: ["127.0.0.1"],
    tlsOptions: { ca: azurite.caCertificatePem },
    ...extra,
  };
}
const blobUrl = (o: BlobAnchorOptions, part = 0): string =>
  `${o.containerUrl}/${anchorPartName(o.blobName as string, part)}`;
const read = (o: BlobAnchorOptions): Promise<string[]> =>
  readAnchorLines(blobUrl(o), {
    credential,
    allowedHosts: ["127.0.0.1"],
    tlsOptions: { ca: azurite.caCertificatePem },
  });
const lineOf = (i: number, pad = 0): string => JSON.stringify({ seq: i, action: "checkpoint", pad: "x".repeat(pad) });

function storageOptions(): StoragePipelineOptions {
  return { tlsOptions: { ca: azurite.caCertificatePem } } as StoragePipelineOptions;
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

useEmulator({ onStarted: (started) => ({ emu, app } = started) });
useAzurite({ debugLog: true, onStarted: (started) => (azurite = started) });
beforeAll(async () => {
  credential = certificateCredential(emu, app);
  containerUrl = `${azurite.accountUrl}/${CONTAINER}`;
  await new ContainerClient(containerUrl, credential, storageOptions()).createIfNotExists();
});

describe("blob anchor against Azurite", () => {
  it("stores appended lines in order; lines appended in one turn go out as one block", async () => {
    const o = options();
    const events = recordEvents();
    const anchor = await createBlobAnchor(o, credential, events);
    const lines = Array.from({ length: 1000 }, (_, i) => lineOf(i));
    for (const line of lines) anchor.append(line);
    await anchor.flush();
    const props = await new ContainerClient(containerUrl, credential, storageOptions())
      .getAppendBlobClient(o.blobName as string)
      .getProperties();
    expect(props.blobType).toBe("AppendBlob");
    expect(props.blobCommittedBlockCount).toBe(1);
    for (let i = 1000; i < 1010; i++) {
      anchor.append(lineOf(i));
      await anchor.flush();
    }
    await anchor.close();
    expect(await read(o)).toEqual([...lines, ...Array.from({ length: 10 }, (_, i) => lineOf(1000 + i))]);
    expect(events.failures).toEqual([]);
  });

  it("never puts more than maxBlockBytes in a block and never splits a line", async () => {
    const o = options({ maxBlockBytes: 1024 });
    const anchor = await createBlobAnchor(o, credential, recordEvents());
    const lines = Array.from({ length: 60 }, (_, i) => lineOf(i, 100 + (i % 7) * 37));
    for (const line of lines) anchor.append(line);
    await anchor.close();
    const container = new ContainerClient(containerUrl, credential, storageOptions());
    const props = await container.getAppendBlobClient(o.blobName as string).getProperties();
    const total = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(props.contentLength).toBe(total);
    expect(props.blobCommittedBlockCount).toBeGreaterThanOrEqual(Math.ceil(total / 1024));
    expect(props.blobCommittedBlockCount).toBeLessThan(lines.length);
    expect(await read(o)).toEqual(lines);
  });

  it("rolls to <blobName>.1, .2 … at the block limit; a new anchor resumes on the last part; readAnchorLines reads all parts", async () => {
    const o = options({ maxBlocksPerBlob: 2 });
    const first = await createBlobAnchor(o, credential, recordEvents());
    const lines: string[] = [];
    for (let i = 0; i < 5; i++) {
      lines.push(lineOf(i));
      first.append(lineOf(i));
      await first.flush(); // one block per line
    }
    await first.close();
    const second = await createBlobAnchor(o, credential, recordEvents());
    for (let i = 5; i < 7; i++) {
      lines.push(lineOf(i));
      second.append(lineOf(i));
      await second.flush();
    }
    await second.close();
    const container = new ContainerClient(containerUrl, credential, storageOptions());
    const counts: number[] = [];
    for (let part = 0; part < 4; part++) {
      counts.push(
        (await container.getAppendBlobClient(anchorPartName(o.blobName as string, part)).getProperties())
          .blobCommittedBlockCount ?? -1,
      );
    }
    expect(counts).toEqual([2, 2, 2, 1]);
    expect(await container.getAppendBlobClient(anchorPartName(o.blobName as string, 4)).exists()).toBe(false);
    expect(await read(o)).toEqual(lines);
  });

  it("two writers on one blob: appendPosition conflicts are resolved, every line is stored exactly once, each writer's order kept", async () => {
    const o = options();
    const a = await createBlobAnchor(o, credential, recordEvents());
    const b = await createBlobAnchor(o, credential, recordEvents());
    const linesA = Array.from({ length: 40 }, (_, i) => JSON.stringify({ w: "a", i }));
    const linesB = Array.from({ length: 40 }, (_, i) => JSON.stringify({ w: "b", i }));
    for (let i = 0; i < 40; i++) {
      a.append(linesA[i]);
      b.append(linesB[i]);
      if (i % 5 === 4) await new Promise((r) => setImmediate(r));
    }
    await Promise.all([a.close(), b.close()]);
    const stored = await read(o);
    expect(stored).toHaveLength(80);
    expect(stored.filter((l) => l.includes('"a"'))).toEqual(linesA);
    expect(stored.filter((l) => l.includes('"b"'))).toEqual(linesB);
  });

  it("Azurite down: onFailure per attempt with backoff, never blocking append; back up: onRecovered and nothing lost", async () => {
    const o = options({ retry: { initialDelayMs: 40, maxDelayMs: 160 }, flushTimeoutMs: 500 });
    const events = recordEvents();
    const anchor = await createBlobAnchor(o, credential, events);
    const lines = Array.from({ length: 5 }, (_, i) => lineOf(i));
    for (const l of lines) anchor.append(l);
    await anchor.flush();
    await azurite.stop();
    try {
      const started = Date.now();
      for (let i = 5; i < 20; i++) {
        lines.push(lineOf(i));
        anchor.append(lineOf(i));
      }
      expect(Date.now() - started).toBeLessThan(50); // append never waits for storage
      const flushStart = Date.now();
      await anchor.flush(); // gives up after flushTimeoutMs, lines stay queued
      expect(Date.now() - flushStart).toBeGreaterThanOrEqual(450);
      await until(() => events.failures.length >= 4);
      const before = events.failures.length;
      await new Promise((r) => setTimeout(r, 1000));
      // Full jitter on a 160 ms cap averages ~80 ms between attempts; a retry loop without backoff would make hundreds.
      expect(events.failures.length - before).toBeLessThan(40);
      expect(events.failures.map((f) => f.attempt).slice(0, 4)).toEqual([1, 2, 3, 4]);
      for (const f of events.failures) {
        expect(f.pendingLines).toBe(15);
        expect(f.code).toMatch(/^[A-Za-z0-9_.-]+$/);
        expect(f.message).not.toMatch(/Bearer|eyJ|sig=/);
      }
      expect(events.recoveries).toEqual([]);
    } finally {
      await azurite.start();
    }
    await until(() => events.recoveries.length === 1);
    expect(events.recoveries[0]?.attempt).toBeGreaterThanOrEqual(4);
    await anchor.close();
    expect(await read(o)).toEqual(lines);
  });

  it("bounded queue: past maxQueuedLines the oldest lines are dropped and the drop is reported at once, never silently", async () => {
    // A port nothing listens on: storage is unreachable for the whole test.
    const o = {
      ...options(),
      containerUrl: `https://127.0.0.1:1/devstoreaccount1/${CONTAINER}`,
      maxQueuedLines: 10,
      flushTimeoutMs: 300,
      retry: { initialDelayMs: 1000 },
    };
    const events = recordEvents();
    const anchor = await createBlobAnchor(o, credential, events);
    for (let i = 0; i < 11; i++) anchor.append(lineOf(i));
    const overflow = events.failures.filter((f) => f.code === "ANCHOR_QUEUE_OVERFLOW");
    expect(overflow).toHaveLength(1); // reported synchronously, in the append that overflowed
    expect(overflow[0]?.message).toContain("1 oldest");
    expect(overflow[0]?.pendingLines).toBe(10);
    for (let i = 11; i < 30; i++) anchor.append(lineOf(i));
    await anchor.close();
    const closed = events.failures.filter((f) => f.code === "ANCHOR_CLOSED_UNSENT");
    expect(closed).toHaveLength(1);
    expect(closed[0]?.pendingLines).toBe(10);
    const dropped = events.failures
      .filter((f) => f.code === "ANCHOR_QUEUE_OVERFLOW")
      .reduce((n, f) => n + Number(/the (\d+) oldest/.exec(f.message)?.[1] ?? 0), 0);
    // 30 appended = 10 still queued at close + 20 dropped (the later drops reported with the next failed attempt or at close).
    expect(dropped).toBe(20);
    expect(events.failures.some((f) => f.code !== "ANCHOR_QUEUE_OVERFLOW" && f.code !== "ANCHOR_CLOSED_UNSENT")).toBe(
      true,
    );
  });

  it("a listener that appends from onFailure (as the recorder does) does not recurse or flood", async () => {
    const o = {
      ...options(),
      containerUrl: `https://127.0.0.1:1/devstoreaccount1/${CONTAINER}`,
      maxQueuedLines: 5,
      flushTimeoutMs: 200,
      retry: { initialDelayMs: 1000 },
    };
    let reports = 0;
    const ref: { anchor?: { append(line: string): void } } = {};
    const anchor = await createBlobAnchor(o, credential, {
      onFailure: (f) => {
        reports++;
        ref.anchor?.append(JSON.stringify({ action: "anchor.failure", code: f.code }));
      },
      onRecovered: () => undefined,
    });
    ref.anchor = anchor;
    for (let i = 0; i < 100; i++) anchor.append(lineOf(i));
    expect(reports).toBeLessThanOrEqual(2);
    await anchor.close();
    expect(reports).toBeLessThan(10);
  });

  it("lines that can never be stored are dropped and reported: longer than a block, empty, CR/LF, after close", async () => {
    const o = options({ maxBlockBytes: 200 });
    const events = recordEvents();
    const anchor = await createBlobAnchor(o, credential, events);
    anchor.append(lineOf(1));
    anchor.append(lineOf(2, 300)); // longer than a block
    anchor.append("");
    anchor.append('{"a":1}\n{"forged":true}');
    anchor.append('{"a":1}\r');
    anchor.append(lineOf(3));
    await anchor.close();
    anchor.append(lineOf(4));
    anchor.append(lineOf(5));
    expect(events.failures.map((f) => f.code)).toEqual([
      "ANCHOR_LINE_INVALID",
      "ANCHOR_LINE_INVALID",
      "ANCHOR_LINE_INVALID",
      "ANCHOR_LINE_TOO_LARGE",
      "ANCHOR_CLOSED",
    ]);
    expect(await read(o)).toEqual([lineOf(1), lineOf(3)]);
  });

  it("Entra unreachable (token requests dropped): reported without secrets, recovers when Entra answers again, nothing lost", async () => {
    const fresh = certificateCredential(emu, app, { retryOptions: { maxRetries: 0 } });
    // Dropped connections, not a 5xx: MSAL throttles a client for 60 s after a 5xx without Retry-After (upstream).
    const fault = emu.injectFault({ side: "entra", path: /\/token$/, drop: true });
    const o = options({ retry: { initialDelayMs: 50, maxDelayMs: 100 } });
    const events = recordEvents();
    const anchor = await createBlobAnchor(o, fresh, events);
    try {
      anchor.append(lineOf(1));
      await until(() => events.failures.length >= 2);
    } finally {
      fault.remove();
    }
    anchor.append(lineOf(2));
    await until(() => events.recoveries.length === 1);
    await anchor.close();
    for (const f of events.failures) {
      expect(f.message).not.toMatch(/eyJ|BEGIN|PRIVATE|client_assertion/);
      expect(f.message.length).toBeLessThanOrEqual(220);
    }
    expect(await read(o)).toEqual([lineOf(1), lineOf(2)]);
  });

  it("a credential whose token has the wrong audience is reported as an authentication failure (Azurite checks it)", async () => {
    const acsOnly = { getToken: () => credential.getToken(ACS_SCOPE) };
    const o = options({ flushTimeoutMs: 300, retry: { initialDelayMs: 1000 } });
    const events = recordEvents();
    const anchor = await createBlobAnchor(o, acsOnly, events);
    anchor.append(lineOf(1));
    await until(() => events.failures.length > 0);
    await anchor.close();
    expect(events.failures[0]?.code).toBe("AuthenticationFailed");
    expect(events.failures[0]?.message).toMatch(/HTTP 403/);
  });

  it("every request Azurite accepted was authenticated by a Bearer token: no shared key, no SAS, no anonymous access", () => {
    const log = readFileSync(azurite.debugLogPath as string, "utf8");
    expect(log).toContain(
      "BlobTokenAuthenticator:authenticateBasic() Validation against token authentication successfully.",
    );
    expect(log).not.toMatch(/Signature [12] matched/);
    expect(log).not.toContain("SAS validation successfully");
    expect(log).not.toMatch(/PublicAccessAuthenticator:validate\(\) .*successfully|Public access .*granted/i);
  });
});

describe("Azurite really checks the token (no test double)", () => {
  function put(path: string, authorization?: string): Promise<{ status: number; body: string }> {
    const url = new URL(`${azurite.accountUrl}/${CONTAINER}/${path}`);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: "PUT",
          ca: azurite.caCertificatePem,
          headers: {
            "x-ms-blob-type": "AppendBlob",
            "x-ms-version": "2025-01-05",
            "content-length": "0",
            ...(authorization !== undefined ? { authorization } : {}),
          },
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("anonymous: refused", async () => {
    const r = await put("anon.jsonl");
    expect([401, 403, 404]).toContain(r.status);
  });

  it("a token for the ACS audience: refused (Invalid token audience)", async () => {
    const token = await credential.getToken(ACS_SCOPE);
    const r = await put("acs-aud.jsonl", `Bearer ${token?.token ?? ""}`);
    expect(r.status).toBe(403);
    expect(r.body).toContain("AuthenticationFailed");
  });

  it("a token for the storage audience from the emulator's Entra: accepted", async () => {
    const token = await credential.getToken(STORAGE_SCOPE);
    const r = await put("storage-aud.jsonl", `Bearer ${token?.token ?? ""}`);
    expect(r.status).toBe(201);
  });
});

describe("refusals and loading", () => {
  const url = (): string => containerUrl;
  it.each([
    ["a SAS query", () => `${url()}?sv=2024-05-04&ss=b&sig=AbC%2Fdef%3D`, "KEY_CREDENTIAL_REFUSED"],
    ["a SAS with upper-case SIG", () => `${url()}?SIG=abc`, "KEY_CREDENTIAL_REFUSED"],
    ["a percent-encoded sig", () => `${url()}?x=1%26sig%3Dabc`, "KEY_CREDENTIAL_REFUSED"],
    [
      "a storage connection string",
      () => "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=QUJD;EndpointSuffix=core.windows.net",
      "CONNECTION_STRING_REFUSED",
    ],
    ["an account key appended to the URL", () => `${url()};AccountKey=QUJD`, "CONNECTION_STRING_REFUSED"],
    ["http", () => url().replace("https:", "http:"), "INSECURE_ENDPOINT"],
    ["another query", () => `${url()}?restype=container`, "ENDPOINT_NOT_ALLOWED"],
    ["user-info", () => url().replace("https://", "https://user:pass@"), "ENDPOINT_NOT_ALLOWED"],
    ["a host not allowed", () => "https://evil.example.com/container", "ENDPOINT_NOT_ALLOWED"],
    ["a look-alike host", () => "https://acct.blob.core.windows.net.evil.example/container", "ENDPOINT_NOT_ALLOWED"],
    ["a blob path instead of a container", () => `${url()}/some/blob`, "ENDPOINT_NOT_ALLOWED"],
  ])("createBlobAnchor refuses %s", async (_name, make, code) => {
    const value = make();
    const error: unknown = await createBlobAnchor(
      { ...options(), containerUrl: value },
      credential,
      recordEvents(),
    ).catch((e: unknown) => e);
    expect(isBaselineViolationError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    expect((error as Error).message).not.toContain(value);
    expect((error as Error).message).not.toMatch(/QUJD|AbC|abc/);
  });

  it("checkBlobAnchorOptions refuses synchronously (a factory can refuse at construction), and accepts a good configuration", () => {
    expect(() =>
      checkBlobAnchorOptions({ containerUrl: `${containerUrl}?sig=abc`, allowedHosts: ["127.0.0.1"] }),
    ).toThrow(/KEY_CREDENTIAL_REFUSED/);
    expect(() =>
      checkBlobAnchorOptions({ containerUrl: "https://acct.blob.core.windows.net/audit", mode: "all" as never }),
    ).toThrow(TypeError);
    expect(
      checkBlobAnchorOptions({
        containerUrl: "https://acct.blob.core.windows.net/audit/",
        auditFileName: "/var/log/a.log",
      }),
    ).toMatchObject({
      target: {
        url: "https://acct.blob.core.windows.net/audit",
        hostname: "acct.blob.core.windows.net",
        port: 443,
        container: "audit",
      },
    });
  });

  it("the production hosts are allowed by default and loopback is not", async () => {
    await expect(
      createBlobAnchor({ containerUrl: "https://acct.blob.core.windows.net/audit" }, credential, recordEvents()).then(
        (a) => a.close(),
      ),
    ).resolves.toBeUndefined();
    const error: unknown = await createBlobAnchor({ containerUrl }, credential, recordEvents()).catch(
      (e: unknown) => e,
    );
    expect((error as { code: string }).code).toBe("ENDPOINT_NOT_ALLOWED");
  });

  it("refuses a credential that is not a TokenCredential (shared key, anonymous)", async () => {
    const storage = await loadStorageBlob();
    for (const bad of [
      new storage.StorageSharedKeyCredential("devstoreaccount1", "QUJDREVG"),
      new storage.AnonymousCredential(),
    ]) {
      const error: unknown = await createBlobAnchor(options(), bad as never, recordEvents()).catch((e: unknown) => e);
      expect((error as { code: string }).code).toBe("KEY_CREDENTIAL_REFUSED");
    }
  });

  it("readAnchorLines refuses SAS, http and key URLs the same way", async () => {
    const o = options();
    for (const [value, code] of [
      [`${blobUrl(o)}?sig=abc`, "KEY_CREDENTIAL_REFUSED"],
      [blobUrl(o).replace("https:", "http:"), "INSECURE_ENDPOINT"],
      [`${blobUrl(o)}?comp=list`, "ENDPOINT_NOT_ALLOWED"],
    ] as const) {
      const error: unknown = await readAnchorLines(value, { credential, allowedHosts: ["127.0.0.1"] }).catch(
        (e: unknown) => e,
      );
      expect((error as { code: string }).code).toBe(code);
    }
  });

  it("readAnchorLines of a blob that does not exist rejects with 404", async () => {
    await expect(read(options())).rejects.toMatchObject({ statusCode: 404 });
  });

  it("the anchor's sources never touch key or SAS APIs of @azure/storage-blob", () => {
    for (const file of [
      "blobAnchor.ts",
      "blobAnchorOptions.ts",
      "blobClient.ts",
      "readBlobAnchor.ts",
      "containerUrl.ts",
      "loadStorageBlob.ts",
    ]) {
      const text = readFileSync(
        new URL(`../../../packages/acs-baseline/src/audit/write/anchor/${file}`, import.meta.url),
        "utf8",
      );
      expect(text).not.toMatch(
        /StorageSharedKeyCredential|AnonymousCredential|generateSasUrl|generateBlobSASQueryParameters|fromConnectionString|UserDelegationKey/,
      );
    }
  });

  it("a missing @azure/storage-blob gives an error naming the package and the install command", async () => {
    await expect(loadStorageBlob("@azure/storage-blob-not-installed-here")).rejects.toThrow(
      /@azure\/storage-blob.*npm install @azure\/storage-blob/,
    );
  });

  it("the default blob name is acs-audit/<host>/<audit file>.jsonl, with unsafe characters replaced", () => {
    expect(defaultAnchorBlobName("/var/log/app/acs-audit.log", "web-01")).toBe("acs-audit/web-01/acs-audit.jsonl");
    expect(defaultAnchorBlobName(undefined, "web 01/..")).toBe("acs-audit/web_01_../audit.jsonl");
    expect(defaultAnchorBlobName("../../x?#.log", "h")).toBe("acs-audit/h/x__.jsonl");
  });
});
