/**
 * `eslint-plugin-acs-baseline/internal`: the `no-key-auth` analysis for tools of this project (`acs-baseline scan`
 * runs it over programs parsed with oxc-parser, so the scan and the rule can never disagree). No compatibility
 * promise: it changes with the CLI.
 * @packageDocumentation
 */
export { analyzeKeyAuth } from "./analysis/analyzeKeyAuth.js";
export type { AnalyzeKeyAuthOptions, KeyAuthFinding, VisitorKeys } from "./analysis/analyzeKeyAuth.js";
export { formatKeyAuthMessage, KEY_AUTH_MESSAGES } from "./analysis/messages.js";
export type { KeyAuthMessageId } from "./analysis/messages.js";
export { offsets } from "./analysis/estreeNodes.js";
export type { AnyNode } from "./analysis/estreeNodes.js";
export { hasEscapes, unescapeText } from "./analysis/unescape.js";
export type { TypeHooks } from "./analysis/typeHooks.js";
export { shownConnectionString } from "./analysis/shownConnectionString.js";
