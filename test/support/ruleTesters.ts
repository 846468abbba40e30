/** Shared set-up for the `no-key-auth` rule tests: ESLint's RuleTester on vitest, and one tester per source kind. */
import { RuleTester } from "eslint";
import tsParser from "@typescript-eslint/parser";
import { describe, it } from "vitest";
import plugin from "../../packages/eslint-plugin/src/index.js";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

/** The rule under test. */
export const rule = plugin.rules["no-key-auth"];
/** JavaScript modules. */
export const esm = new RuleTester({ languageOptions: { ecmaVersion: "latest", sourceType: "module" } });
/** CommonJS scripts. */
export const cjs = new RuleTester({ languageOptions: { ecmaVersion: "latest", sourceType: "commonjs" } });
/** TypeScript modules (parsed without type information). */
export const ts = new RuleTester({
  languageOptions: { parser: tsParser, ecmaVersion: "latest", sourceType: "module" },
});
