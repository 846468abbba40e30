// The labelled corpus (test/scan/fixtures/corpus, labels in expected.json): recall and false positives of the whole
// scanner, printed and asserted (100 % recall, 0 false positives), and the SARIF of the scan validated against the
// official SARIF 2.1.0 JSON schema (OASIS sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import AjvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { SCAN_RULES } from "../../packages/cli/src/scan/rules.js";
import { toSarif } from "../../packages/cli/src/scan/sarif.js";
import { scanPaths } from "../../packages/cli/src/scan/scan.js";

const dir = join(__dirname, "fixtures", "corpus");
const labels = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as {
  findings: { file: string; line: number; ruleId: string; severity: string }[];
  clean: string[];
};
const key = (f: { file: string; line: number; ruleId: string; severity: string }) =>
  `${f.file}:${f.line} ${f.ruleId} ${f.severity}`;

describe("labelled corpus", () => {
  const result = scanPaths(["."], { cwd: dir });
  const found = new Set(result.findings.map(key));
  const expected = new Set(labels.findings.map(key));

  it("finds every labelled finding and nothing else", () => {
    const missed = [...expected].filter((k) => !found.has(k));
    const falsePositives = [...found].filter((k) => !expected.has(k));
    const recall = (expected.size - missed.length) / expected.size;
    console.log(
      `corpus: ${result.filesScanned} files, ${expected.size} labelled findings, recall ${(recall * 100).toFixed(1)} %, ${falsePositives.length} false positives`,
    );
    for (const rule of SCAN_RULES) {
      const n = labels.findings.filter((f) => f.ruleId === rule.id).length;
      if (n > 0)
        console.log(
          `  ${rule.id}: ${n} labelled, ${labels.findings.filter((f) => f.ruleId === rule.id && found.has(key(f))).length} found`,
        );
    }
    expect(missed).toEqual([]);
    expect(falsePositives).toEqual([]);
    expect(recall).toBe(1);
  });

  it("covers every IaC and text rule", () => {
    const rules = new Set(labels.findings.map((f) => f.ruleId));
    for (const id of SCAN_RULES.map((r) => r.id).filter((r) => r !== "acs-baseline/parse-error"))
      expect(rules, id).toContain(id);
  });

  it("scans the clean files and reports nothing in them", () => {
    const scanned = new Set(result.findings.map((f) => f.file));
    for (const file of labels.clean) expect(scanned.has(file), file).toBe(false);
    expect(result.filesScanned).toBeGreaterThanOrEqual(
      labels.clean.length + new Set(labels.findings.map((f) => f.file)).size,
    );
  });

  it("never prints a key", () => {
    const text = JSON.stringify(result);
    for (const secret of ["QSr6rz24LpOqJ3Op", "zKL8Q7ByjZy", "KLtpvN5A4sLNWTO0"]) expect(text).not.toContain(secret);
  });

  it("the SARIF validates against the SARIF 2.1.0 schema and has a helpUri for every rule", () => {
    const schema = JSON.parse(readFileSync(join(__dirname, "fixtures", "sarif-schema-2.1.0.json"), "utf8")) as object;
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    const sarif = toSarif(
      {
        ...result,
        skipped: [...result.skipped, { file: "link\nname", reason: "symlink" }],
        filesSkipped: result.filesSkipped + 1,
      },
      "0.1.0",
    );
    const ok = validate(JSON.parse(JSON.stringify(sarif)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const run = (
      sarif.runs as { tool: { driver: { rules: { id: string; helpUri: string }[] } }; results: { ruleId: string }[] }[]
    )[0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(SCAN_RULES.map((r) => r.id));
    for (const r of run.tool.driver.rules) expect(r.helpUri).toMatch(/^https:\/\/.+#?/);
    expect(run.results).toHaveLength(result.findings.length);
  });

  it("a schema violation is caught (the validator is not a no-op)", () => {
    const schema = JSON.parse(readFileSync(join(__dirname, "fixtures", "sarif-schema-2.1.0.json"), "utf8")) as object;
    const validate = new AjvDraft04.default({ strict: false, validateFormats: false }).compile(schema);
    const sarif = toSarif(result, "0.1.0") as { runs: { results: { level: string }[] }[] };
    sarif.runs[0].results[0].level = "fatal";
    expect(validate(JSON.parse(JSON.stringify(sarif)))).toBe(false);
  });
});
