/**
 * A synchronous `require` for this module's dialect, so the factory loads an ACS client package only when the first
 * client of its kind is created (`create*Client` is synchronous). The CommonJS build uses `nodeRequire-cjs.cts`.
 */
import { createRequire } from "node:module";

// The CommonJS build never compiles this line (tshy swaps in nodeRequire-cjs.cts), but its type check sees it.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1470: import.meta in the CommonJS pass of the build
export const nodeRequire: NodeJS.Require = createRequire(import.meta.url);
