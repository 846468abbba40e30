/** This package's version, as `acs-baseline --version` prints it (test/cli/main.test.ts keeps it equal to package.json). */
export const CLI_VERSION = "0.2.0";
