// The attack: a Terraform module is all the .tf files of a directory, and a Bicep file reads its modules, so one
// neighbouring file nested deeper than the analysers recurse (a 6 KB `locals { pad = [[[…` beside main.tf, a
// 20,000-deep module) replaced every finding of an ordinary main file with one `main.tf:1:1 … (nested too deep to
// analyse)` warning, exit 0. That file now costs only itself: it is left out (a module is then unread) and gets the
// parse error, once, under its own name.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanPaths } from "../../../packages/cli/src/scan/scan.js";
import { tempDir } from "../../support/tempDir.js";

const MAIN_TF = `resource "azurerm_communication_service" "acs" {
  name                = "contoso-acs"
  resource_group_name = "rg"
  data_location       = "Europe"
}
resource "azurerm_linux_web_app" "web" {
  name = "web"
  app_settings = {
    ACS_CONNECTION_STRING = azurerm_communication_service.acs.primary_connection_string
  }
}
`;
const MAIN_BICEP = `resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = { name: 'acs' }
resource web 'Microsoft.Web/sites@2022-09-01' = {
  name: 'web'
  location: 'westeurope'
  properties: { siteConfig: { appSettings: [ { name: 'ACS', value: acs.listKeys().primaryConnectionString } ] } }
}
module pad './pad.bicep' = { name: 'pad' }
`;
/** The message of a file left out of the analysis of the templates that read it. */
const LEFT_OUT = (reason: string) =>
  `The template could not be analysed (${reason}); the templates that read it were analysed without it.`;
const MAIN_TF_FINDINGS = [
  "main.tf:1 acs-baseline/iac/local-auth-enabled",
  "main.tf:1 acs-baseline/iac/no-resource-logs",
  "main.tf:9 acs-baseline/iac/listkeys-to-app",
];

/** Writes `files` into a new directory under `root` and scans it: `file:line rule` of each finding, and the result. */
function scan(root: string, name: string, files: Record<string, string>) {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const result = scanPaths(["."], { cwd: dir, useGit: false });
  return { result, shown: result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`) };
}

describe("a neighbouring template that cannot be parsed", () => {
  const root = tempDir("acs-neighbour-failures-");

  it("costs a Terraform module only that file (nested too deep), which gets the parse error", () => {
    const deep = `locals {\n  pad = ${"[".repeat(3000)}${"]".repeat(3000)}\n}\n`;
    const { result, shown } = scan(root, "tf", { "main.tf": MAIN_TF, "zz.tf": deep });
    expect(shown).toEqual([...MAIN_TF_FINDINGS, "zz.tf:1 acs-baseline/parse-error"]);
    expect(result.findings.at(-1)?.message).toBe(LEFT_OUT("nested too deep to analyse"));
    expect(result.filesScanned).toBe(2);
  });

  it("costs a Terraform module only a .tf.json that is not JSON, and a child module only its file", () => {
    const broken = '{ "locals": { "pad": 1, } }';
    const parent = `module "child" {\n  source = "../child"\n}\n`;
    mkdirSync(join(root, "tfjson"));
    mkdirSync(join(root, "tfjson", "child"));
    writeFileSync(join(root, "tfjson", "child", "bad.tf.json"), broken);
    const { result, shown } = scan(join(root, "tfjson"), "main", { "a.tf.json": broken, "main.tf": MAIN_TF });
    const parseErrors = result.findings.filter((f) => f.ruleId === "acs-baseline/parse-error");
    expect(shown.filter((f) => f.startsWith("main.tf"))).toEqual(MAIN_TF_FINDINGS);
    expect(parseErrors.map((f) => [f.file, f.message])).toEqual([
      ["a.tf.json", LEFT_OUT("expected a property name at line 1, column 25")],
    ]);
    // A child module's broken file, outside the scanned directory: named relative to it, like every file.
    const withChild = scan(join(root, "tfjson"), "parent", { "main.tf": MAIN_TF, "parent.tf": parent });
    expect(withChild.shown).toEqual(["../child/bad.tf.json:1 acs-baseline/parse-error", ...MAIN_TF_FINDINGS]);
  });

  it("reports a file that fails for several readers, and for its own scan, once", () => {
    // a.tf mentions ACS, so it is analysed itself too (first: its own message); main.tf and other.tf read it as well.
    const deep = `# communication\nlocals {\n  pad = ${"[".repeat(3000)}${"]".repeat(3000)}\n}\n`;
    const { result, shown } = scan(root, "once", { "a.tf": deep, "main.tf": MAIN_TF, "other.tf": "# communication\n" });
    expect(shown).toEqual(["a.tf:1 acs-baseline/parse-error", ...MAIN_TF_FINDINGS]);
    expect(result.findings[0].message).toBe(
      "The template could not be analysed (nested too deep to analyse); only its text was searched.",
    );
  });

  it("costs a Bicep file only the module nested too deep, which gets the parse error", () => {
    const pad = `var x = ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`;
    const { result, shown } = scan(root, "bicep", { "main.bicep": MAIN_BICEP, "pad.bicep": pad });
    expect(shown).toEqual(["main.bicep:5 acs-baseline/iac/listkeys-to-app", "pad.bicep:1 acs-baseline/parse-error"]);
    expect(result.findings.at(-1)?.message).toBe(LEFT_OUT("nested too deep to analyse"));
  });

  it("names a module read through a symlinked directory by its real path, once", () => {
    const dir = join(root, "linked");
    mkdirSync(join(dir, "real"), { recursive: true });
    writeFileSync(join(dir, "real", "pad.bicep"), `var x = ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`);
    symlinkSync("real", join(dir, "link"));
    writeFileSync(join(dir, "main.bicep"), MAIN_BICEP.replace("'./pad.bicep'", "'./link/pad.bicep'"));
    const result = scanPaths(["."], { cwd: dir, useGit: false });
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      "main.bicep:5 acs-baseline/iac/listkeys-to-app",
      "real/pad.bicep:1 acs-baseline/parse-error",
    ]);
  });
});
