import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export default defineConfig({
  // Tests run against the packages' sources: one copy of each module, whether a test imports it by relative path or
  // a package imports its sibling by name (as it does when published).
  resolve: {
    alias: [
      { find: /^acs-baseline\/internal\/text$/, replacement: src("acs-baseline/src/text/index.ts") },
      { find: /^acs-baseline\/internal$/, replacement: src("acs-baseline/src/internal.ts") },
      { find: /^acs-baseline$/, replacement: src("acs-baseline/src/index.ts") },
      { find: /^acs-baseline-emulator$/, replacement: src("emulator/src/index.ts") },
      { find: /^eslint-plugin-acs-baseline\/internal$/, replacement: src("eslint-plugin/src/internal.ts") },
      { find: /^eslint-plugin-acs-baseline$/, replacement: src("eslint-plugin/src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // fast-check's seed: fixed in CI, random on a developer's machine (test/support/fastCheckSeed.ts).
    setupFiles: ["test/support/fastCheckSeed.ts"],
    globals: false,
    // Each test file starts its own emulator on an ephemeral port; keep parallelism within CI's 2 cores.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
