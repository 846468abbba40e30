// ESLint configuration for acs-baseline's own code (type-checked typescript-eslint).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Import boundaries of the runtime (docs/architecture.md, "Folders and what they may import"): for each folder of
// packages/acs-baseline/src, the project folders it must not import. A lower folder never imports a higher one, and
// no folder imports the package's own entries (index.ts, internal.ts). Relative specifiers only: the runtime never
// imports itself by package name.
const RUNTIME = "packages/acs-baseline/src";
const folders = (...forbidden) => `^(\\.\\./)+(${forbidden.join("|")})/`;
const ENTRIES = "^(\\.\\./)+(index|internal)\\.js$";
const IMPORT_BOUNDARIES = {
  // text/: a leaf, nothing of the project.
  text: ["^\\.\\./", "^acs-baseline"],
  guard: [folders("audit", "baseline", "clients", "config", "credentials", "posture")],
  config: [folders("audit", "baseline", "clients", "credentials", "posture")],
  // credentials/ names the credential types of audit records (audit/events.ts, later audit/record/events.ts) only.
  credentials: [folders("baseline", "clients", "posture"), "^(\\.\\./)+audit/(?!(record/)?events\\.js$)"],
  audit: [folders("baseline", "clients", "config", "credentials", "posture")],
  // posture/ takes the validated configuration and the credential from the factory's rooms, never the factory.
  posture: [folders("audit", "baseline"), "^(\\.\\./)+clients/(?!factoryOptions\\.js$|factoryCredential\\.js$)"],
  baseline: [folders("audit", "clients", "config", "credentials", "guard", "posture", "text")],
  clients: [],
};
const boundaryConfigs = Object.entries(IMPORT_BOUNDARIES).map(([folder, patterns]) => ({
  files: [`${RUNTIME}/${folder}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [...patterns, ENTRIES].map((regex) => ({
          regex,
          message: `${folder}/ may not import this (docs/architecture.md, "Folders and what they may import").`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/.tshy/**",
      "**/.tshy-build/**",
      "coverage/**",
      "temp/**",
      "node_modules/**",
      "test/**/fixtures/**",
      "bench/fixtures/**",
      "bench/tmp/**",
    ],
  },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
  ...boundaryConfigs,
  {
    // errors.ts: the one error type, below everything.
    files: [`${RUNTIME}/errors.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^\\.", message: "errors.ts imports nothing of the project." }] },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        fetch: "readonly",
      },
    },
  },
);
