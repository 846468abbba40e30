/**
 * The Node.js check the `acs-baseline` executable runs before it loads anything else: the package's `engines.node`
 * (`>=22`) enforced at start, with a message that names the required and the running version, instead of a
 * half-working run on an older Node.
 */

/** The lowest major version a `>=N…` range allows (undefined for ranges of another shape). */
export function minimumNodeMajor(range: string): number | undefined {
  const m = /^\s*>=\s*v?(\d+)(?:\.\d+){0,2}\s*$/.exec(range);
  return m === null ? undefined : Number(m[1]);
}

/** The refusal for running on `version` when the package needs `range`, or undefined when `version` satisfies it. */
export function unsupportedNodeMessage(version: string, range: string): string | undefined {
  const minimum = minimumNodeMajor(range);
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (minimum === undefined || !Number.isFinite(major) || major >= minimum) return undefined;
  return `acs-baseline: Node.js ${range.trim()} is required (package.json engines); this is Node.js ${version.replace(/^v?/, "v")}. Install Node.js ${minimum} or later (Node ${minimum} LTS or 24).`;
}
