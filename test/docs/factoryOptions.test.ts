// The factory's options as the docs list them against the type: every member of AcsClientFactoryOptions is in the
// README's "Or explicitly" list and in docs/factory.md's opening example, and neither names an option the type lacks.
// (The README's list lacked `posture` before this test.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** The member names of `export interface AcsClientFactoryOptions { … }`, read from the source text. */
function optionNames(): string[] {
  const source = read("packages/acs-baseline/src/clients/factoryOptions.ts");
  const start = source.indexOf("export interface AcsClientFactoryOptions");
  const body = source.slice(start, source.indexOf("\n}", start));
  return [...body.matchAll(/^ {2}(?:readonly )?([a-zA-Z]+)\??:/gm)].map((m) => m[1]).sort();
}

/** The README's `new AcsClientFactory({ … })` list after "Or explicitly". */
function readmeNames(): string[] {
  const readme = read("README.md");
  const start = readme.indexOf("Or explicitly: `new AcsClientFactory({");
  const list = readme.slice(start, readme.indexOf("})`", start));
  const withoutInner = list.replace(/\{[^{}]*\}/g, "").replace(/^.*AcsClientFactory\(\{/s, "");
  return [...withoutInner.matchAll(/([a-zA-Z]+)\??:?/g)].map((m) => m[1]).sort();
}

/** The top-level keys of docs/factory.md's first `new AcsClientFactory({ … })` example. */
function factoryDocNames(): string[] {
  const doc = read("docs/factory.md");
  const start = doc.indexOf("new AcsClientFactory({");
  const body = doc.slice(start, doc.indexOf("\n});", start));
  const names = new Set<string>();
  for (const line of body.split("\n").slice(1)) {
    const code = line.replace(/\/\/.*$/, "").replace(/\{[^{}]*\}/g, "");
    for (const m of code.matchAll(/(?:^|,)\s*([a-zA-Z]+)\s*(?=[:,]|$)/g)) names.add(m[1]);
  }
  return [...names].sort();
}

describe("docs: the factory's options match AcsClientFactoryOptions", () => {
  const names = optionNames();

  it("reads the type's members", () => {
    expect(names).toEqual(expect.arrayContaining(["endpoint", "certificate", "posture", "workloadIdentity"]));
  });

  it("the README's explicit list names every option, and no other", () => {
    expect(readmeNames()).toEqual(names);
  });

  it("docs/factory.md's example names every option, and no other", () => {
    expect(factoryDocNames()).toEqual(names);
  });
});
