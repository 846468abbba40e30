// The CommonJS entry: `require("eslint-plugin-acs-baseline")` is the plugin itself (no `.default`), as ESLint
// plugins are. tshy builds this file in place of index.ts for the CommonJS dialect.
import plugin = require("./plugin.js");
export = plugin.default;
