// The plugin object as ESLint sees it: meta, docs URLs, the recommended config on every JS/TS flavour, CJS require.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Linter } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../packages/eslint-plugin/src/index.js";

const CS = "endpoint=https://contoso.communication.azure.com/;accesskey=" + "Zm9vYmFy".repeat(11);
const SOURCE = `import { SmsClient } from "@azure/communication-sms";\nconst client = new SmsClient("${CS}");\n`;

describe("eslint-plugin-acs-baseline", () => {
  it("meta.name and meta.version match package.json", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "../../packages/eslint-plugin/package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    expect(plugin.meta).toEqual({ name: pkg.name, version: pkg.version });
  });

  it("every rule's meta.docs.url points at its doc page in this repository", () => {
    for (const [name, rule] of Object.entries(plugin.rules)) {
      const url = rule.meta?.docs?.url ?? "";
      expect(url).toMatch(new RegExp(`/docs/rules/${name}\\.md$`));
      expect(readFileSync(join(__dirname, `../../docs/rules/${name}.md`), "utf8")).toContain(name);
    }
  });

  it.each(["a.js", "a.mjs", "a.cjs", "a.jsx", "a.ts", "a.tsx", "a.mts", "a.cts"])(
    "recommended lints %s out of the box",
    (file) => {
      const typed = file.includes("t") && !file.endsWith(".cjs") && !file.endsWith(".mjs") && file !== "a.jsx";
      const code = typed ? SOURCE.replace("const client", "const client: SmsClient") : SOURCE;
      const messages = new Linter({ configType: "flat" }).verify(code, [plugin.configs.recommended], {
        filename: file,
      });
      expect(messages.length).toBeGreaterThan(0);
      expect(new Set(messages.map((m) => m.ruleId))).toEqual(new Set(["acs-baseline/no-key-auth"]));
      expect(JSON.stringify(messages)).not.toContain("Zm9vYmFy");
    },
  );

  it("the built CommonJS entry is the plugin itself (no .default)", () => {
    const required = createRequire(__filename)(
      join(__dirname, "../../packages/eslint-plugin/dist/commonjs/index.js"),
    ) as typeof plugin;
    expect(required.meta.name).toBe("eslint-plugin-acs-baseline");
    expect(Object.keys(required.rules)).toEqual(["no-key-auth"]);
    expect((required as { default?: unknown }).default).toBeUndefined();
  });
});
