/** `--output FILE` of the report commands (`scan`, `sweep`): the report written to a file instead of stdout. */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Writes `text` (with a final line break) to `file`, resolved against the command's working directory. Returns
 * undefined when written, else the usage error to print (the file as given and the system code: a missing folder, a
 * directory, no permission), so that a report that cannot be written is bad usage (exit 2), not a crash.
 */
export function writeOutputFile(cwd: string, file: string, text: string): string | undefined {
  try {
    writeFileSync(resolve(cwd, file), text.endsWith("\n") ? text : `${text}\n`);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `cannot write --output ${file} (${typeof code === "string" ? code : "error"})`;
  }
}
