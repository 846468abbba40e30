// Issue 25 item 7: binary detection and escapes are no hiding place. A stray NUL byte, NUL padding, UTF-16 without a
// byte-order mark, JSON/URL escapes and JSON writers' `\/` all still get a file's keys found; real binaries are
// skipped and reported; names in comments and documentation alone give no finding.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { decodeText, scanPaths, scanText } from "../../packages/cli/src/scan/scan.js";

const KEY = "KLtpvN5A4sLNWTO02qFfhbeoI+b4tJo8uX823J4KlLOXCVuVupFXLksxKsmvjhzmOSoRbaSYjs6LsQn4cNNXpQ==";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const SMS = `import { SmsClient } from "@azure/communication-sms";\n`;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function scanFiles(files: Record<string, string | Buffer>) {
  const dir = mkdtempSync(join(tmpdir(), "acs-scan-hiding-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return scanPaths(["."], { cwd: dir, useGit: false });
}
const rulesIn = (r: ReturnType<typeof scanFiles>, file: string) =>
  r.findings.filter((f) => f.file === file).map((f) => f.ruleId);

describe("binary detection is no hiding place", () => {
  it("scans a source file with a stray NUL byte early on, with the rule", () => {
    const r = scanFiles({ "a.js": Buffer.from(`//\0\n${SMS}new SmsClient(process.env.CS);\n`) });
    expect(r.skipped).toEqual([]);
    expect(rulesIn(r, "a.js")).toEqual(["acs-baseline/no-key-auth"]);
    expect(r.findings[0].line).toBe(3);
  });

  it("scans a text file with NUL bytes sprinkled in, and one padded with NULs before the key", () => {
    const r = scanFiles({
      "a.env": Buffer.from(`\0# settings\0\nACS=${CS}\n`),
      "b.env": Buffer.concat([Buffer.alloc(4000), Buffer.from(`ACS=${CS}\n`)]),
    });
    expect(r.skipped).toEqual([]);
    expect(rulesIn(r, "a.env")).toEqual(["acs-baseline/connection-string"]);
    expect(rulesIn(r, "b.env")).toEqual(["acs-baseline/connection-string"]);
  });

  it("reads UTF-16 without a byte-order mark, little and big endian", () => {
    const le = Buffer.from(`ACS=${CS}\n`, "utf16le");
    const be = Buffer.from(le);
    be.swap16();
    const r = scanFiles({ "le.env": le, "be.env": be });
    expect(rulesIn(r, "le.env")).toEqual(["acs-baseline/connection-string"]);
    expect(rulesIn(r, "be.env")).toEqual(["acs-baseline/connection-string"]);
  });

  it("finds a key inside a binary file (UTF-8 or UTF-16 strings) and skips binaries without ACS markers", () => {
    const noise = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i % 4 === 0 ? 0 : (i * 7919) % 256)));
    const r = scanFiles({
      "blob.bin": Buffer.concat([noise, Buffer.from(CS), noise]),
      "wide.dll": Buffer.concat([noise, Buffer.from(CS, "utf16le"), noise]),
      "image.png": Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise]),
    });
    expect(rulesIn(r, "blob.bin")).toContain("acs-baseline/connection-string");
    expect(rulesIn(r, "wide.dll")).toContain("acs-baseline/connection-string");
    expect(r.skipped).toEqual([{ file: "image.png", reason: "binary" }]);
    expect(decodeText(Buffer.from([0x61, 0, 0x62]))).toBeUndefined();
  });

  it("keeps any text of 20 characters or more with one NUL byte in its first 100, the NUL read as a space", () => {
    // eslint-disable-next-line no-control-regex
    const text = fc.string({ unit: "grapheme", minLength: 20, maxLength: 300 }).filter((s) => !/[\0-\x1f\x7f]/.test(s));
    fc.assert(
      fc.property(text, fc.nat(99), (s, at) => {
        const chars = [...s];
        const [head, tail] = [chars.slice(0, at).join(""), chars.slice(at).join("")];
        expect(decodeText(Buffer.from(`${head}\0${tail}`))).toBe(`${head} ${tail}`);
      }),
    );
  });
});

describe("escaped keys in text files", () => {
  it("finds connection strings written with JSON escapes, URL encoding and escaped slashes", () => {
    const url = CS.replace(/[=;:/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const r = scanFiles({
      "a.json": `{ "acs": "${CS.replace(/=/g, "\\u003d").replace(/;/g, "\\u003b")}" }\n`,
      "b.yaml": `acs: ${url}\n`,
      "c.json": `{ "acs": "${CS.replace(/\//g, "\\/")}" }\n`,
      "d.properties": `acs=${encodeURIComponent(encodeURIComponent(CS))}\n`,
    });
    for (const file of ["a.json", "b.yaml", "c.json", "d.properties"])
      expect(rulesIn(r, file)).toEqual(["acs-baseline/connection-string"]);
    for (const f of r.findings) expect(f.message).not.toContain(KEY.slice(0, 20));
  });

  it("reports an escaped template as a template, and plain text with escapes as nothing", () => {
    const template = "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>".replace(/=/g, "%3D");
    expect(scanText("a.md", `Set ACS to ${template}\n`).map((f) => f.ruleId)).toEqual([
      "acs-baseline/connection-string-template",
    ]);
    expect(scanText("b.json", `{ "url": "https:\\/\\/contoso.communication.azure.com\\/sms?x=%20" }\n`)).toEqual([]);
  });
});

describe("deeply nested code", () => {
  it("neither crashes the scan nor passes silently", () => {
    const key = `export const s = "${CS}";\n`;
    for (const code of [
      `${key}export const a = ${"[".repeat(20000)}${"]".repeat(20000)};\n`,
      `${key}export const b = ${"x + ".repeat(8000)}1;\n`,
    ]) {
      const found = scanText("deep.js", code).map((f) => f.ruleId);
      expect(found.length).toBeGreaterThan(0);
      expect(
        found.every((id) =>
          ["acs-baseline/parse-error", "acs-baseline/connection-string", "acs-baseline/no-key-auth"].includes(id),
        ),
      ).toBe(true);
      expect(found.some((id) => id !== "acs-baseline/parse-error")).toBe(true);
    }
  });
});

describe("names in comments and documentation alone", () => {
  it("give no finding in code, docs or escaped docs", () => {
    const r = scanFiles({
      "a.js": `/**\n * Never write new SmsClient(connectionString) or Reflect.construct(SmsClient, [cs]).\n * import { SmsClient } from "@azure/communication-sms";\n */\nexport const help = "new SmsClient(connectionString) is refused";\n`,
      "b.ts": `// const { fromConnectionString: f } = SmsClient; f(cs)\nexport const doc = \`Use AcsClientFactory, not SmsClient.fromConnectionString(cs).\`;\n`,
      "c.md": "Do not call `new SmsClient(connectionString)` or `new SmsClient(...args)`.\n",
    });
    expect(r.findings).toEqual([]);
  });
});
