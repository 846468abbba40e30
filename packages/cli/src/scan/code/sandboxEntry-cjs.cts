/** The CommonJS build's paths of the parser sandbox's scripts (tshy uses this file instead of sandboxEntry.ts). */
import { join } from "node:path";

/** The supervisor: runs the sandbox child, restarts it after a crash or a timeout, reports one line per file. */
export const SANDBOX_SUPERVISOR_SCRIPT: string = join(__dirname, "sandboxSupervisor.js");
/** The sandbox child: reads and analyses each file it is given, one result line per file. */
export const SANDBOX_CHILD_SCRIPT: string = join(__dirname, "sandboxChild.js");
