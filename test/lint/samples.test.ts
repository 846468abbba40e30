// The upstream ACS README samples (code blocks of node_modules/@azure/communication-*/README.md, reconstructed as
// files under fixtures/samples; expected.json says which ones authenticate with keys): the scan finds every
// key-based sample and nothing in the others.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanPaths } from "../../packages/cli/src/scan/scan.js";

const dir = join(__dirname, "fixtures", "samples");
const expected = (
  JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { name: string; keyBased: boolean }[]
).filter((e) => e.name.endsWith(".ts"));

describe("upstream ACS README samples", () => {
  const result = scanPaths(["."], { cwd: dir });
  const found = (name: string) => result.findings.filter((f) => f.file === name && f.kind !== "parse-error");

  it("covers the sample set", () => {
    expect(expected.filter((e) => e.keyBased).length).toBeGreaterThanOrEqual(10);
  });

  it.each(expected.filter((e) => e.keyBased).map((e) => e.name))("finds key-based auth in %s", (name) => {
    expect(found(name).length).toBeGreaterThan(0);
  });

  it("reports nothing in token-based samples", () => {
    const falsePositives = expected.filter((e) => !e.keyBased && found(e.name).length > 0).map((e) => e.name);
    expect(falsePositives).toEqual([]);
  });
});
