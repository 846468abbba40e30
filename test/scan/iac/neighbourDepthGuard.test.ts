// On a stack under 2 MiB V8's own limit may not stop the analysers' recursion before the real stack ends (a crash, not
// an error), so a template nested deeper than `maxTemplateDepth` is not parsed. The files read for another template
// (a Terraform sibling, a Bicep module) must get the same guard as the scanned file itself: here the limit is set as a
// 1 MiB stack sets it (512 levels), and the 600-deep neighbours must be refused by the guard, not parsed.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type * as StackSize from "../../../packages/cli/src/scan/code/stackSize.js";
import { scanPaths } from "../../../packages/cli/src/scan/scan.js";
import { tempDir } from "../../support/tempDir.js";

vi.mock("../../../packages/cli/src/scan/code/stackSize.js", async (original) => ({
  ...(await original<typeof StackSize>()),
  maxTemplateDepth: () => 512,
}));

const GUARDED =
  "The template could not be analysed (nested too deep for this process's stack); the templates that read it were analysed without it.";

describe("the depth guard on a small stack", () => {
  const root = tempDir("acs-neighbour-depth-");

  it("applies to Terraform sibling files and Bicep modules, not only to the scanned file", () => {
    const deep = (open: string, close: string) => `${open.repeat(600)}${close.repeat(600)}`;
    mkdirSync(join(root, "tf"));
    writeFileSync(join(root, "tf", "main.tf"), 'resource "azurerm_communication_service" "acs" {\n  name = "a"\n}\n');
    writeFileSync(join(root, "tf", "zz.tf"), `locals {\n  pad = ${deep("[", "]")}\n}\n`);
    mkdirSync(join(root, "bicep"));
    writeFileSync(join(root, "bicep", "main.bicep"), "module pad './pad.bicep' = { name: 'pad' }\n");
    writeFileSync(join(root, "bicep", "pad.bicep"), `var x = ${deep("[", "]")}\n`);
    const { findings } = scanPaths(["."], { cwd: root, useGit: false });
    expect(findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual([
      "bicep/pad.bicep acs-baseline/parse-error",
      "tf/main.tf acs-baseline/iac/local-auth-enabled",
      "tf/main.tf acs-baseline/iac/no-resource-logs",
      "tf/zz.tf acs-baseline/parse-error",
    ]);
    for (const f of findings.filter((x) => x.ruleId === "acs-baseline/parse-error")) expect(f.message).toBe(GUARDED);
  });
});
