/**
 * `eslint-plugin-acs-baseline`: the `no-key-auth` rule (baseline IM-1) for ESLint 9 and 10 flat config, on
 * JavaScript and TypeScript files out of the box.
 *
 * @example
 * ```js
 * // eslint.config.js (ESM)
 * import acsBaseline from "eslint-plugin-acs-baseline";
 * export default [acsBaseline.configs.recommended];
 *
 * // eslint.config.cjs (CommonJS)
 * const acsBaseline = require("eslint-plugin-acs-baseline");
 * module.exports = [acsBaseline.configs.recommended];
 * ```
 * @packageDocumentation
 */
import plugin from "./plugin.js";

export type { AcsBaselinePlugin } from "./plugin.js";
export { LINTED_FILES } from "./plugin.js";

/** The plugin: `{ meta, rules: { "no-key-auth" }, configs: { recommended } }`. @public */
export default plugin;
