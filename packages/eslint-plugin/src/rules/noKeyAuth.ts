/**
 * `no-key-auth` (IM-1): reports key-based authentication to Azure Communication Services in code — clients built
 * from connection strings or access-key credentials, key credentials created in files that use ACS, the helpers that
 * exist for key auth, and connection-string literals. The analysis (src/analysis) is shared with `acs-baseline scan`.
 */
import type { Rule } from "eslint";
import { analyzeKeyAuth } from "../analysis/analyzeKeyAuth.js";
import { KEY_AUTH_MESSAGES } from "../analysis/messages.js";
import { typeHooksFrom } from "../analysis/typeHooks.js";

const DOCS_URL = "https://github.com/acs-baseline/acs-baseline/blob/main/docs/rules/no-key-auth.md";

const rule: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: {
      description:
        "Disallow key-based authentication (connection strings, access keys) for Azure Communication Services (baseline IM-1)",
      recommended: true,
      url: DOCS_URL,
    },
    schema: [],
    messages: { ...KEY_AUTH_MESSAGES },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program(program) {
        const types = typeHooksFrom(sourceCode.parserServices);
        for (const finding of analyzeKeyAuth(program, { types, visitorKeys: sourceCode.visitorKeys })) {
          context.report({ node: finding.node, messageId: finding.messageId, data: finding.data });
        }
      },
    };
  },
};

export default rule;
