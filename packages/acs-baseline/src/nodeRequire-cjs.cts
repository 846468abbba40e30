/** The CommonJS build's loading (tshy uses this file instead of nodeRequire.ts in the CommonJS dialect). */
export const nodeRequire: NodeJS.Require = require;

/** The file `require(specifier)` loads: the package's CommonJS entry in this build. */
export function resolveImport(specifier: string): string {
  return require.resolve(specifier);
}
