// The portable rules: the secretlint rule run through secretlint's own API (@secretlint/core lintSource), and the
// gitleaks TOML file's regexes run in a test (gitleaks uses Go RE2: the file must hold no look-around or
// back-references, and its (?i) prefix is mapped to JavaScript's i flag).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lintSource } from "@secretlint/core";
import { describe, expect, it } from "vitest";
import { secretlintRule } from "../../packages/cli/src/scan/portable/secretlintRule.js";
import { textFindings } from "../../packages/cli/src/scan/text/textRules.js";

const IDENTIFIABLE = "QSr6rz24LpOqJ3OpuLIEi2NvSBbI1rmAR1JF3yz4zQ0cvb8Iy4QWJQQJ992COf5wjkbqX4boAAAAAZCSUpHW0m==";
const IDENTIFIABLE_84 = IDENTIFIABLE.slice(0, 84);
const NOT_ACS = IDENTIFIABLE.replace("AZCS", "AZMP"); // Azure Maps signature
const LEGACY = "zKL8Q7ByjZy//CJwrbpxiS1LMy2FW0BfdUObR2XjIZN9jDyQPOIxs10hEm6mofR2YwC4bO7eCzkkf86y1nGjQA==";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${LEGACY}`;

const positives: [string, string][] = [
  ["identifiable key (88)", `key: ${IDENTIFIABLE}\n`],
  ["identifiable key (84)", `ACS_KEY=${IDENTIFIABLE_84}\n`],
  ["connection string", `ACS=${CS}\n`],
  ["connection string, key first", `"accesskey=${LEGACY};endpoint=https://contoso.communication.azure.com/"`],
  ["legacy key with an accesskey name", `{ "AccessKey": "${LEGACY}" }`],
  ["legacy key under an ACS host", `endpoint: https://contoso.communication.azure.com\nprimary: ${LEGACY}\n`],
];
const negatives: [string, string][] = [
  ["another service's identifiable key", `key: ${NOT_ACS}\n`],
  ["placeholder connection string", "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>"],
  ["88-character base64 without ACS context", `{ "hash": "${LEGACY}" }`],
  ["identifiable key glued to more text", `x${IDENTIFIABLE_84}abc`],
  ["a Storage key named access_key", `storage_account_access_key = "${LEGACY}"`],
];

async function secretlint(text: string) {
  const result = await lintSource({
    source: { content: text, filePath: "/virtual/file.txt", ext: ".txt", contentType: "text" },
    options: { config: { rules: [{ id: secretlintRule.meta.id, rule: secretlintRule as never }] }, maskSecrets: true },
  });
  return result.messages;
}

describe("secretlint rule (through secretlint's API)", () => {
  it.each(positives)("reports %s", async (_, text) => {
    const messages = await secretlint(text);
    expect(messages.length).toBe(1);
    expect(messages[0].ruleId).toBe("@acs-baseline/secretlint-rule-acs");
    expect(messages[0].message).toMatch(/Azure Communication Services/);
  });
  it.each(negatives)("does not report %s", async (_, text) => {
    expect(await secretlint(text)).toEqual([]);
  });
});

interface GitleaksRule {
  id: string;
  regex: string;
  secretGroup: number;
  keywords: string[];
  /** `[[rules.allowlists]]` with regexTarget = "line": a match on such a line is dropped. */
  lineAllowlist: string[];
}
function gitleaksRules(): GitleaksRule[] {
  const toml = readFileSync(join(__dirname, "..", "..", "packages", "cli", "gitleaks-acs.toml"), "utf8");
  return toml
    .split("[[rules]]")
    .slice(1)
    .map((block) => ({
      id: /^id = "([^"]+)"/m.exec(block)![1],
      regex: /^regex = '''(.*)'''$/m.exec(block)![1],
      secretGroup: Number(/^secretGroup = (\d+)/m.exec(block)?.[1] ?? 0),
      keywords: JSON.parse(/^keywords = (\[.*\])$/m.exec(block)![1]) as string[],
      lineAllowlist: block.includes('regexTarget = "line"')
        ? [...block.matchAll(/^regexes = \['''(.*)'''\]$/gm)].map((m) => m[1])
        : [],
    }));
}
/** Go RE2 → JavaScript: a leading (?i) becomes the i flag; everything else used here is common syntax. */
const toJs = (re: string) => (re.startsWith("(?i)") ? new RegExp(re.slice(4), "gi") : new RegExp(re, "g"));
function gitleaks(text: string): { rule: string; secret: string }[] {
  const out: { rule: string; secret: string }[] = [];
  for (const r of gitleaksRules()) {
    if (!r.keywords.some((k) => text.toLowerCase().includes(k))) continue; // gitleaks' keyword pre-filter
    for (const m of text.matchAll(toJs(r.regex))) {
      const start = text.lastIndexOf("\n", m.index + m[0].indexOf(m[r.secretGroup])) + 1;
      const end = text.indexOf("\n", start);
      const line = text.slice(start, end === -1 ? undefined : end);
      if (r.lineAllowlist.some((a) => toJs(a).test(line))) continue;
      out.push({ rule: r.id, secret: m[r.secretGroup] });
    }
  }
  return out;
}

describe("gitleaks rules file", () => {
  it("is RE2-compatible (no look-around, no back-references) and has three rules", () => {
    const rules = gitleaksRules();
    expect(rules.map((r) => r.id)).toEqual([
      "azure-communication-services-identifiable-key",
      "azure-communication-services-connection-string",
      "azure-communication-services-legacy-key",
    ]);
    for (const r of rules) {
      for (const a of r.lineAllowlist) expect(a).not.toMatch(/\(\?<?[=!]|\\[1-9]/);
      expect(r.regex).not.toMatch(/\(\?<?[=!]|\\[1-9]|\(\?>|[*+?}]\+/);
      expect(r.keywords.every((k) => k === k.toLowerCase())).toBe(true);
    }
  });
  it.each(positives)("reports %s", (_, text) => {
    const found = gitleaks(text);
    expect(found.length).toBe(1);
    expect(text).toContain(found[0].secret);
  });
  it.each(negatives)("does not report %s", (_, text) => {
    expect(gitleaks(text)).toEqual([]);
  });
  it("agrees with the scanner on every sample", () => {
    for (const [, text] of [...positives, ...negatives]) {
      const ours = textFindings("sample.txt", text, true).filter(
        (f) => f.ruleId !== "acs-baseline/connection-string-template",
      );
      expect(gitleaks(text).length, text).toBe(ours.length);
    }
  });
});
