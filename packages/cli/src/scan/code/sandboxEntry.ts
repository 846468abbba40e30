/** Where the parser sandbox's scripts are, next to this module (the CommonJS build uses `sandboxEntry-cjs.cts`). */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The CommonJS build never compiles this line (tshy swaps in sandboxEntry-cjs.cts), but its type check sees it.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1470: import.meta in the CommonJS pass of the build
const HERE: URL = new URL(".", import.meta.url);
// Run from the TypeScript sources (the tests), the scripts are the build's (packages/cli/dist), when it is there.
const DIR: URL = existsSync(new URL("sandboxChild.js", HERE)) ? HERE : new URL("../../../dist/esm/scan/code/", HERE);

/** The supervisor: runs the sandbox child, restarts it after a crash or a timeout, reports one line per file. */
export const SANDBOX_SUPERVISOR_SCRIPT: string = fileURLToPath(new URL("sandboxSupervisor.js", DIR));
/** The sandbox child: reads and analyses each file it is given, one result line per file. */
export const SANDBOX_CHILD_SCRIPT: string = fileURLToPath(new URL("sandboxChild.js", DIR));
