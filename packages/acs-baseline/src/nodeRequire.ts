/**
 * Synchronous loading for this module's dialect, so the factory loads an ACS client package (and the optional
 * `@azure/communication-chat`) only when the first client of its kind is created: `create*Client` is synchronous.
 * The CommonJS build uses `nodeRequire-cjs.cts` instead.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// The CommonJS build never compiles these lines (tshy swaps in nodeRequire-cjs.cts), but its type check sees them.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1470: import.meta in the CommonJS pass of the build
export const nodeRequire: NodeJS.Require = createRequire(import.meta.url);

/**
 * The file `import(specifier)` loads from here: the package's ES module entry in this build, so the class an
 * application imports and the one the factory builds are the same (`require(esm)` loads it synchronously).
 */
export function resolveImport(specifier: string): string {
  // eslint-disable-next-line @typescript-eslint/ban-ts-comment
  // @ts-ignore TS1470: import.meta in the CommonJS pass of the build
  return fileURLToPath((import.meta as { resolve(s: string): string }).resolve(specifier));
}
