import { PassThrough } from "node:stream";

/** The two streams a CLI command writes to, and what it wrote to each. */
interface CapturedOutput {
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
  /** All that was written to `stdout` so far. */
  out(): string;
  /** All that was written to `stderr` so far. */
  err(): string;
}

/** A pair of in-memory output streams that keep everything written to them, for a command's `stdout` and `stderr`. */
function captureOutput(): CapturedOutput {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

/**
 * Runs a command with captured output streams and returns its exit code with what it wrote.
 *
 * @param command - runs the command on the given streams and resolves to its exit code
 */
export async function runCaptured(
  command: (io: { stdout: PassThrough; stderr: PassThrough }) => Promise<number>,
): Promise<{ code: number; out: string; err: string }> {
  const io = captureOutput();
  const code = await command({ stdout: io.stdout, stderr: io.stderr });
  return { code, out: io.out(), err: io.err() };
}
