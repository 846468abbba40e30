// What an install puts on disk: every package under node_modules (name → number of copies) and the bytes it takes.
// Shared by bench/installSize.mjs and .ci/consumers.mjs (the CI budget check).
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The raw SDK set an app would install without acs-baseline: the baseline of every install-size comparison. */
export const RAW_SDK_SET = ["@azure/communication-sms", "@azure/communication-identity", "@azure/identity", "pino"];

export function inventory(projectDir) {
  const names = new Map();
  const walk = (nm) => {
    let entries;
    try {
      entries = readdirSync(nm);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith(".")) continue;
      const full = join(nm, entry);
      if (entry.startsWith("@")) {
        walk(full);
        continue;
      }
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(full, "package.json"), "utf8"));
      } catch {
        continue;
      }
      names.set(pkg.name, (names.get(pkg.name) ?? 0) + 1);
      walk(join(full, "node_modules"));
    }
  };
  walk(join(projectDir, "node_modules"));
  const du = (p) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return 0;
    if (!st.isDirectory()) return st.size;
    return readdirSync(p).reduce((sum, e) => sum + du(join(p, e)), 0);
  };
  const packages = [...names.values()].reduce((a, b) => a + b, 0);
  return { names, packages, bytes: du(join(projectDir, "node_modules")) };
}
