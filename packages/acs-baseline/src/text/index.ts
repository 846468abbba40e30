/**
 * `acs-baseline/internal/text`: the text helpers acs-baseline's own tools share with the runtime without loading it
 * (no Azure SDK, no pino): the connection-string detector the guard uses, and the terminal escaper. Not a public API:
 * no compatibility promise; the tools depend on the exact same version.
 *
 * @packageDocumentation
 */
export {
  findConnectionStrings,
  isConnectionStringShaped,
  isPlaceholderKey,
  maskConnectionString,
  type ConnectionStringMatch,
} from "./connectionString.js";
export { escapeForTerminal } from "./terminal.js";
