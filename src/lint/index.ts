/**
 * `acs-baseline/eslint-plugin`: the `no-key-auth` rule (baseline IM-1) for ESLint 9+ flat config.
 *
 * @example
 * ```js
 * // eslint.config.js
 * import acsBaseline from "acs-baseline/eslint-plugin";
 * export default [acsBaseline.configs.recommended];
 * ```
 * @packageDocumentation
 */
import type { ESLint, Linter, Rule } from "eslint";
import noKeyAuth from "./rules/noKeyAuth.js";

/** The plugin object. @public */
export interface AcsBaselinePlugin {
  meta: { name: string; version: string };
  rules: { "no-key-auth": Rule.RuleModule };
  configs: { recommended: Linter.Config };
}

const plugin: AcsBaselinePlugin = {
  meta: { name: "acs-baseline", version: "0.1.0" },
  rules: { "no-key-auth": noKeyAuth },
  configs: { recommended: {} },
};
plugin.configs.recommended = {
  name: "acs-baseline/recommended",
  plugins: { "acs-baseline": plugin as unknown as ESLint.Plugin },
  rules: { "acs-baseline/no-key-auth": "error" },
};

/** The plugin: `{ meta, rules: { "no-key-auth" }, configs: { recommended } }`. @public */
export default plugin;
