/**
 * `acs-baseline/internal/text`: the text helpers acs-baseline's own tools share with the runtime without loading it
 * (no Azure SDK, no pino): the connection-string detectors the guard, the scanner and the lint rule use, the terminal
 * escaper and the `Retry-After` reading. Not a public API: no compatibility promise; the tools depend on the exact same
 * version.
 *
 * @packageDocumentation
 */
export {
  findConnectionStrings,
  isConnectionStringShaped,
  isPlaceholderKey,
  maskConnectionString,
  plainForm,
  type ConnectionStringMatch,
} from "./connectionString.js";
export { findConnectionStringsInAnySpelling } from "./anySpelling.js";
export { findBase64ConnectionStrings, type EncodedConnectionStrings } from "./base64ConnectionStrings.js";
export { escapeForTerminal } from "./terminal.js";
export { retryAfterMs } from "./retryAfter.js";
