/** Where the code worker's script is, next to this module (the CommonJS build uses `codeWorkerEntry-cjs.cts`). */
import { fileURLToPath } from "node:url";

// The CommonJS build never compiles this line (tshy swaps in codeWorkerEntry-cjs.cts), but its type check sees it.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1470: import.meta in the CommonJS pass of the build
export const CODE_WORKER_SCRIPT: string = fileURLToPath(new URL("./codeWorker.js", import.meta.url));
