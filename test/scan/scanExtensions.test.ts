// Regression: TypeScript/JSX files and paths outside the working directory must actually be linted (the scan once
// returned them as clean because a "**/*" files pattern matches nothing in ESLint flat config).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanPaths, scanText } from "../../packages/cli/src/scan/scan.js";

const CODE = `import { SmsClient } from "@azure/communication-sms";\nexport const c = new SmsClient(process.env.ACS_CS!);\n`;

describe("scan lints every source extension", () => {
  for (const ext of [".ts", ".cts", ".mts", ".tsx"]) {
    it(`reports a one-argument ACS client in ${ext}`, () => {
      expect(scanText(`src/a${ext}`, CODE).map((f) => f.kind)).toEqual(["key-auth"]);
    });
  }
  it("reports in .jsx", () => {
    expect(scanText("src/a.jsx", CODE.replace("!", "")).map((f) => f.kind)).toEqual(["key-auth"]);
  });
  it("reports files outside the working directory (absolute and ../ paths)", () => {
    const dir = mkdtempSync(join(tmpdir(), "acs-scan-outside-"));
    writeFileSync(join(dir, "a.ts"), CODE);
    const result = scanPaths([dir], { cwd: join(tmpdir(), "elsewhere-not-created") });
    expect(result.findings.map((f) => f.kind)).toEqual(["key-auth"]);
  });
});
