/**
 * A secretlint rule for Azure Communication Services keys, for teams that run secretlint: ACS identifiable keys
 * (SEC101/204), connection strings with a real-looking key, and legacy 88-character keys next to ACS context. The
 * patterns are the scanner's own (`../text/acsKeyPatterns.ts`), so both always agree.
 *
 * Use it in `.secretlintrc.json`: `{ "rules": [{ "id": "acs-baseline-cli/secretlint-rule" }] }`. secretlint's config
 * loader imports the module and takes its `creator` export (test/scan/portableClis.test.ts runs the secretlint CLI).
 */
import {
  ACS_CONNECTION_STRING,
  ACS_IDENTIFIABLE_KEY,
  ACS_KEY_CONTEXT,
  ACS_LEGACY_KEY,
  ACS_LEGACY_KEY_OTHER_SERVICE,
  jsRegExp,
} from "../text/acsKeyPatterns.js";

// Structural subset of @secretlint/types (no dependency on it at run time or for types).
interface SourceCode {
  content: string;
}
interface RuleContext {
  createTranslator<M extends Record<string, { en: (props: Record<string, unknown>) => string }>>(
    messages: M,
  ): (
    id: keyof M & string,
    props?: Record<string, unknown>,
  ) => { message: string; data?: Record<string, unknown> } | string;
  report(descriptor: { message: unknown; range: readonly [number, number] }): void;
}

const messages = {
  AcsIdentifiableKey: {
    en: () =>
      "found an Azure Communication Services access key (SEC101/204). Remove it, regenerate the key and authenticate with Microsoft Entra ID.",
  },
  AcsConnectionString: {
    en: () =>
      "found an Azure Communication Services connection string with an access key. Remove it, regenerate the key and authenticate with Microsoft Entra ID.",
  },
  AcsLegacyKey: {
    en: () =>
      "found an 88-character Azure Communication Services access key next to ACS context. Remove it, regenerate the key and authenticate with Microsoft Entra ID.",
  },
};

const IDENTIFIABLE = new RegExp(String.raw`(?<![A-Za-z0-9])${ACS_IDENTIFIABLE_KEY}(?![A-Za-z0-9])`, "g");
const CONNECTION = jsRegExp(ACS_CONNECTION_STRING, "g");
const LEGACY = new RegExp(String.raw`(?<![A-Za-z0-9+/])${ACS_LEGACY_KEY}(?![A-Za-z0-9+/=])`, "g");
const CONTEXT = jsRegExp(ACS_KEY_CONTEXT, "");
const OTHER_SERVICE = jsRegExp(ACS_LEGACY_KEY_OTHER_SERVICE, "");

/** The secretlint rule creator (`meta.id` `@acs-baseline/secretlint-rule-acs`). @public */
export const secretlintRule = {
  messages,
  meta: {
    id: "@acs-baseline/secretlint-rule-acs",
    type: "scanner" as const,
    recommended: true,
    supportedContentTypes: ["text" as const],
    docs: {
      url: "https://github.com/acs-baseline/acs-baseline/blob/main/docs/scan.md#portable-rules-secretlint-and-gitleaks",
    },
  },
  create(context: RuleContext) {
    const t = context.createTranslator(messages);
    return {
      file(source: SourceCode) {
        const text = source.content;
        const reported: [number, number][] = [];
        const report = (id: keyof typeof messages, start: number, end: number) => {
          if (reported.some(([a, b]) => start < b && end > a)) return;
          reported.push([start, end]);
          context.report({ message: t(id), range: [start, end] });
        };
        for (const m of text.matchAll(CONNECTION)) report("AcsConnectionString", m.index, m.index + m[0].length);
        if (text.includes("JQQJ99"))
          for (const m of text.matchAll(IDENTIFIABLE)) report("AcsIdentifiableKey", m.index, m.index + m[0].length);
        for (const m of text.matchAll(LEGACY)) {
          const around =
            text.slice(Math.max(0, m.index - 200), m.index) +
            text.slice(m.index + m[0].length, m.index + m[0].length + 200);
          const lineStart = text.lastIndexOf("\n", m.index) + 1;
          const lineEnd = text.indexOf("\n", m.index);
          const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
          if (CONTEXT.test(around) && !OTHER_SERVICE.test(line)) report("AcsLegacyKey", m.index, m.index + m[0].length);
        }
      },
    };
  },
};

/** The export secretlint's config loader reads (`{ creator }`), so the rule loads from `.secretlintrc.json`. @public */
export const creator = secretlintRule;

export default secretlintRule;
