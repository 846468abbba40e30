/** `--output FILE` of the report commands (`scan`, `sweep`): the report written to a file instead of stdout. */
import { closeSync, constants, lstatSync, openSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * True when `path` is a symbolic link the report must not follow: to a file, a directory or nothing yet (a link
 * planted in a checkout would have the report overwrite, or create, whatever it names). A link to a device, a pipe or a
 * socket (`/dev/stdout`) is followed.
 */
function plantedLink(path: string): boolean {
  try {
    if (!lstatSync(path).isSymbolicLink()) return false;
  } catch {
    return false; // nothing there: the file is created
  }
  try {
    const target = statSync(path);
    return !(target.isCharacterDevice() || target.isFIFO() || target.isSocket());
  } catch {
    return true; // a dangling link
  }
}

/** Opens `path` for the report, never through a link in its last component (where the system can refuse one). */
function openReport(path: string): number {
  if (plantedLink(path)) throw Object.assign(new Error("a symbolic link"), { code: "ELOOP" });
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = constants;
  try {
    return openSync(path, O_WRONLY | O_CREAT | O_TRUNC | (O_NOFOLLOW ?? 0), 0o666);
  } catch (error) {
    // ELOOP here: a link to a device, which `plantedLink` let through (O_NOFOLLOW refuses every link)
    if ((error as NodeJS.ErrnoException).code !== "ELOOP" || plantedLink(path)) throw error;
    return openSync(path, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
  }
}

/**
 * Writes `text` (with a final line break) to `file`, resolved against the command's working directory. Returns
 * undefined when written, else the usage error to print (the file as given and the system code: a missing folder, a
 * directory, no permission, `ELOOP` for a symbolic link to a file or to nothing), so that a report that cannot be
 * written is bad usage (exit 2), not a crash.
 */
export function writeOutputFile(cwd: string, file: string, text: string): string | undefined {
  try {
    const fd = openReport(resolve(cwd, file));
    try {
      writeFileSync(fd, text.endsWith("\n") ? text : `${text}\n`);
    } finally {
      closeSync(fd);
    }
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `cannot write --output ${file} (${typeof code === "string" ? code : "error"})`;
  }
}
