/**
 * A synchronous `require` for this module's dialect, so an optional peer dependency (`@azure/communication-chat`) is
 * loaded only when it is used and `createChatClient` can stay synchronous like every other `create*` method. The
 * CommonJS build uses `nodeRequire-cjs.cts` instead.
 */
import { createRequire } from "node:module";

// The CommonJS build never compiles this line (tshy swaps in nodeRequire-cjs.cts), but its type check sees it.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1470: import.meta in the CommonJS pass of the build
export const nodeRequire: NodeJS.Require = createRequire(import.meta.url);
