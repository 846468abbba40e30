import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  readAnchorFileLines,
  splitAnchorText,
} from "../../../packages/acs-baseline/src/audit/verify/readAnchorFile.js";
import { tempDir } from "../../support/tempDir.js";

const dir = tempDir("acs-anchor-file-");

describe("anchor file", () => {
  it("reads the lines of an anchor file, as the blob reader does", async () => {
    const path = join(dir, "anchor.jsonl");
    writeFileSync(path, '{"seq":1}\n{"seq":2}\n\n{"seq":3}');
    expect(await readAnchorFileLines(path)).toEqual(['{"seq":1}', '{"seq":2}', '{"seq":3}']);
    expect(splitAnchorText("")).toEqual([]);
  });
  it("a missing file rejects with ENOENT", async () => {
    await expect(readAnchorFileLines(join(dir, "missing.jsonl"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
