/**
 * The plugin object: the `no-key-auth` rule (baseline IM-1) and the `recommended` flat config.
 */
import type { ESLint, Linter, Rule } from "eslint";
import { nodeRequire } from "./nodeRequire.js";
import noKeyAuth from "./rules/noKeyAuth.js";

/** The plugin object. @public */
export interface AcsBaselinePlugin {
  /** The package's name and version, as ESLint's config inspector and caches read them. */
  meta: { name: string; version: string };
  /** `no-key-auth`: key-based ACS authentication (connection strings, key credentials, access keys). */
  rules: { "no-key-auth": Rule.RuleModule };
  /** `recommended`: `no-key-auth` as an error on JavaScript and TypeScript files, with a parser that reads both. */
  configs: { recommended: Linter.Config };
}

/** The files the recommended config lints: JavaScript and TypeScript, in every module flavour, with JSX. @public */
export const LINTED_FILES: readonly string[] = ["**/*.{js,mjs,cjs,jsx,ts,tsx,mts,cts}"];

/**
 * `@typescript-eslint/parser`, loaded on first use: requiring the plugin (as `acs-baseline scan` and every ESLint config
 * do) does not load TypeScript until a file is actually parsed.
 */
const typeScriptParser: Linter.Parser = {
  meta: { name: "@typescript-eslint/parser" },
  parseForESLint(code: string, options?: Linter.ParserOptions) {
    const parser = nodeRequire("@typescript-eslint/parser") as {
      parseForESLint(code: string, options?: Linter.ParserOptions): Linter.ESLintParseResult;
    };
    return parser.parseForESLint(code, options);
  },
};

const plugin: AcsBaselinePlugin = {
  // The version is checked against package.json by test/lint/plugin.test.ts.
  meta: { name: "eslint-plugin-acs-baseline", version: "0.2.0" },
  rules: { "no-key-auth": noKeyAuth },
  configs: { recommended: {} },
};
plugin.configs.recommended = {
  name: "acs-baseline/recommended",
  files: [...LINTED_FILES],
  plugins: { "acs-baseline": plugin as unknown as ESLint.Plugin },
  // ESLint's default parser cannot read TypeScript; @typescript-eslint/parser reads both (no type information is
  // needed). A later config object in the user's array that sets its own parser for some files wins for those files.
  languageOptions: {
    parser: typeScriptParser,
    parserOptions: { ecmaFeatures: { jsx: true } },
  },
  rules: { "acs-baseline/no-key-auth": "error" },
};

export default plugin;
