/** The CommonJS build's path of the code worker's script (tshy uses this file instead of codeWorkerEntry.ts). */
import { join } from "node:path";

export const CODE_WORKER_SCRIPT: string = join(__dirname, "codeWorker.js");
