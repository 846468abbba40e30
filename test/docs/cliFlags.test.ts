// The command line as the docs show it against the CLI's own --help: every flag a command's usage lists is in the
// README's command-line block and in the command's page in docs/, and every flag the README shows for a command is
// one the command's --help names. A flag added, renamed or dropped in code without the docs fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/runCli.js";
import { runCaptured } from "../support/captureOutput.js";

const ROOT = join(__dirname, "..", "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** Each command and the docs page that documents its flags (doctor and report: the README only). */
const PAGES: Record<string, string | undefined> = {
  scan: "docs/scan.md",
  sweep: "docs/sweep.md",
  readiness: "docs/readiness.md",
  posture: "docs/posture.md",
  "verify-log": "docs/audit-log.md",
  emulator: "docs/emulator.md",
  doctor: undefined,
  report: undefined,
};

const FLAG = /--[a-z][a-z-]*[a-z]/g;
const flagsIn = (text: string) => [...new Set(text.match(FLAG) ?? [])].filter((f) => f !== "--help");

/** What `acs-baseline <argv>` prints on stdout. */
async function helpOf(argv: string[]): Promise<string> {
  const { out } = await runCaptured((io) => runCli(argv, { ...io, env: {}, cwd: ROOT, stderrIsTTY: false }));
  return out;
}

/** The usage lines of a command's help: from `Usage:` to the first blank line. */
const usageOf = (help: string) => help.slice(help.indexOf("Usage:")).split(/\n\s*\n/)[0];

/** The README's command-line block: each command's synopsis, its continuation lines joined. */
function readmeSynopses(): Map<string, string> {
  const readme = read("README.md");
  const start = readme.indexOf("## Command line");
  const block = readme.slice(
    readme.indexOf("```sh", start),
    readme.indexOf("```\n", readme.indexOf("```sh", start) + 5),
  );
  const synopses = new Map<string, string>();
  let current: string | undefined;
  for (const line of block.split("\n")) {
    const m = /^npx acs-baseline-cli ([a-z-]+)/.exec(line);
    if (m !== null) current = m[1];
    else if (!/^\s/.test(line)) current = undefined;
    if (current !== undefined) synopses.set(current, `${synopses.get(current) ?? ""} ${line.replace(/#.*$/, "")}`);
  }
  return synopses;
}

describe("docs: the command line matches --help", () => {
  const synopses = readmeSynopses();

  it("the README's block shows every command of acs-baseline --help, and no other", async () => {
    const help = await helpOf(["--help"]);
    const commands = [...help.slice(help.indexOf("Commands:")).matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)].map((m) => m[1]);
    expect(commands.sort()).toEqual(Object.keys(PAGES).sort());
    expect([...synopses.keys()].filter((c) => c !== "--version").sort()).toEqual(commands.sort());
  });

  for (const [command, page] of Object.entries(PAGES)) {
    it(`${command}: every flag of its usage is in the README${page === undefined ? "" : ` and ${page}`}`, async () => {
      const help = await helpOf([command, "--help"]);
      const usage = flagsIn(usageOf(help));
      expect(usage.length).toBeGreaterThan(command === "report" ? 0 : 1);
      const readme = flagsIn(synopses.get(command) ?? "");
      expect(usage.filter((flag) => !readme.includes(flag))).toEqual([]);
      if (page !== undefined) {
        const documented = flagsIn(read(page));
        expect(usage.filter((flag) => !documented.includes(flag))).toEqual([]);
      }
      // The other way round: the README shows no flag the command does not name.
      const named = flagsIn(help);
      expect(readme.filter((flag) => !named.includes(flag))).toEqual([]);
    });
  }
});
