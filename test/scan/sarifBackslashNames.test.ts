// A name that really holds a backslash, `x` and two hex digits (`lit\xff.env`, as text) and a name with the byte 0xff
// (`lit<0xff>.env`) were both shown `lit\xff.env`, so SARIF gave both the URI `lit%FF.env` and the same fingerprint.
// The shown form now writes such a backslash `\x5c`: every shown name stands for one byte sequence, and the URI is
// built back from it.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeFinding } from "../../packages/cli/src/scan/finding.js";
import { decodePath, shownPath } from "../../packages/cli/src/scan/rawNames.js";
import { scanPaths } from "../../packages/cli/src/scan/scan.js";
import { toSarif } from "../../packages/cli/src/scan/sarif.js";
import { tempDir } from "../support/tempDir.js";

const KEY = "KLtpvN5A4sLNWTO02qFfhbeoI+b4tJo8uX823J4KlLOXCVuVupFXLksxKsmvjhzmOSoRbaSYjs6LsQn4cNNXpQ==";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}\n`;

interface Result {
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
  partialFingerprints: { primaryLocationLineHash: string };
}
const results = (sarif: Record<string, unknown>) => (sarif.runs as { results: Result[] }[])[0].results;
const uriOf = (r: Result) => r.locations[0].physicalLocation.artifactLocation.uri;
/** The bytes a SARIF URI names. */
const uriBytes = (uri: string) =>
  Buffer.concat(
    uri.split(/(%[0-9A-F]{2})/).map((p) => (p.startsWith("%") ? Buffer.of(parseInt(p.slice(1), 16)) : Buffer.from(p))),
  );

describe("SARIF names a backslash name and a raw-byte name apart", () => {
  const dir = tempDir("acs-sarif-backslash-");
  for (const name of [Buffer.from("lit\\xff.env"), Buffer.from("lit\\x5c.env"), Buffer.from("lit\\\\xff.env")])
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), CS);
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from("lit"), Buffer.of(0xff), Buffer.from(".env")]), CS);
  writeFileSync(join(dir, "plain.env"), CS);

  it("each file gets the URI of its own bytes and a fingerprint of its own", () => {
    const scan = scanPaths(["."], { cwd: dir, useGit: false });
    expect([...new Set(scan.findings.map((f) => f.file))].sort()).toEqual([
      "lit\\\\x5cxff.env",
      "lit\\x5cx5c.env",
      "lit\\x5cxff.env",
      "lit\\xff.env",
      "plain.env",
    ]);
    const found = results(toSarif(scan, "0.0.0"));
    const uris = [...new Set(found.map(uriOf))].sort();
    expect(uris).toEqual(["lit%5C%5Cxff.env", "lit%5Cx5c.env", "lit%5Cxff.env", "lit%FF.env", "plain.env"]);
    for (const uri of uris) {
      const onDisk = Buffer.concat([Buffer.from(`${dir}/`), uriBytes(uri)]);
      expect(existsSync(onDisk)).toBe(true);
    }
    const byUri = new Map<string, Set<string>>();
    for (const r of found)
      byUri.set(uriOf(r), (byUri.get(uriOf(r)) ?? new Set()).add(r.partialFingerprints.primaryLocationLineHash));
    const all = [...byUri.values()].flatMap((s) => [...s]);
    expect(new Set(all).size).toBe(all.length); // no fingerprint shared between two files
  });

  it("property: any name's URI holds exactly its bytes", () => {
    const name = fc
      .array(fc.oneof(fc.constantFrom("\\", "x", "5c", "ff", "80", "\\x", "é"), fc.integer({ min: 0x80, max: 0xff })), {
        minLength: 1,
        maxLength: 12,
      })
      .map((parts) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.of(p)))));
    fc.assert(
      fc.property(name, (bytes) => {
        const file = shownPath(decodePath(bytes));
        const sarif = toSarif(
          {
            findings: [makeFinding("acs-baseline/connection-string", file, { line: 1, column: 1 }, "m")],
            filesScanned: 1,
            filesSkipped: 0,
            skipped: [],
          },
          "0.0.0",
        );
        expect(uriBytes(uriOf(results(sarif)[0])).equals(bytes)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
