/** The CommonJS build's `require` (tshy uses this file instead of nodeRequire.ts in the CommonJS dialect). */
export const nodeRequire: NodeJS.Require = require;
