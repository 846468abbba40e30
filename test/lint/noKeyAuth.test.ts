import { join } from "node:path";
import { RuleTester } from "eslint";
import tsParser from "@typescript-eslint/parser";
import { cjs, esm, rule, ts } from "../support/ruleTesters.js";

const typedDir = join(__dirname, "fixtures", "typed");
const typed = new RuleTester({
  // CI=true makes typescript-eslint infer a "single run" and read files from disk instead of the test code: opt out.
  languageOptions: {
    parser: tsParser,
    parserOptions: { project: "./tsconfig.json", tsconfigRootDir: typedDir, disallowAutomaticSingleRunInference: true },
  },
});

const KEY = "c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5MDE=";
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;
const SMS_IMPORT = 'import { SmsClient } from "@azure/communication-sms";';
const KEY_IMPORT = 'import { AzureKeyCredential } from "@azure/core-auth";';

esm.run("no-key-auth (ESM JavaScript)", rule, {
  valid: [
    // token credentials
    `${SMS_IMPORT} import { DefaultAzureCredential } from "@azure/identity"; new SmsClient("https://x.communication.azure.com", new DefaultAzureCredential());`,
    `${SMS_IMPORT} import { ClientCertificateCredential } from "@azure/identity"; new SmsClient(endpoint, new ClientCertificateCredential(t, c, { certificatePath: p }));`,
    `${SMS_IMPORT} new SmsClient(endpoint, credential);`,
    `${SMS_IMPORT} new SmsClient(endpoint, credential, { retryOptions: { maxRetries: 3 } });`,
    `${SMS_IMPORT} new SmsClient(endpoint, getCredential());`,
    `${SMS_IMPORT} new SmsClient(endpoint, { getToken: async () => null });`,
    // our own factory
    `import { AcsClientFactory } from "acs-baseline"; const f = AcsClientFactory.fromEnvironment(); f.createSmsClient();`,
    `import { AcsClientFactory } from "acs-baseline"; new AcsClientFactory({ endpoint, tenantId, clientId, certificate: { path } });`,
    // same-named classes from other modules
    `import { SmsClient } from "./my-sms.js"; new SmsClient("endpoint=x");`,
    `import { SmsClient } from "twilio-like"; new SmsClient(connectionString);`,
    `import { AzureKeyCredential } from "@azure/core-auth"; import { TextAnalysisClient } from "@azure/ai-language-text"; new TextAnalysisClient(e, new AzureKeyCredential(k));`,
    // AzureKeyCredential in a file that does not use ACS
    `${KEY_IMPORT} export const c = new AzureKeyCredential(process.env.SEARCH_KEY);`,
    `import { AzureKeyCredential } from "@azure/search-documents"; new AzureKeyCredential("k");`,
    // shadowed names
    `${SMS_IMPORT} function f(SmsClient) { return new SmsClient("x"); }`,
    // non-client ACS classes with one argument
    `import { AzureCommunicationTokenCredential } from "@azure/communication-common"; new AzureCommunicationTokenCredential(userToken);`,
    // strings that are not connection strings
    `const s = "endpoint=https://contoso.communication.azure.com/";`,
    `const s = "accesskey is a word";`,
    "const t = `https://${host}/sms`;",
    // helpers without key credentials
    `import { createCommunicationAuthPolicy } from "@azure/communication-common"; createCommunicationAuthPolicy(new DefaultAzureCredential());`,
    `import { createCommunicationAuthPolicy } from "@azure/communication-common"; createCommunicationAuthPolicy(tokenCredential);`,
    // reassigned variable: no guessing
    `${SMS_IMPORT} ${KEY_IMPORT} let c = new AzureKeyCredential(k); c = new DefaultAzureCredential(); new SmsClient(e, c);`.replace(
      "new AzureKeyCredential(k)",
      "null",
    ),
  ],
  invalid: [
    {
      code: `${SMS_IMPORT} new SmsClient(process.env.ACS_CONNECTION_STRING);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `${SMS_IMPORT} const client = new SmsClient(connectionString);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `${SMS_IMPORT} new SmsClient(cs, { retryOptions: { maxRetries: 2 } });`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { SmsClient as Sms } from "@azure/communication-sms"; new Sms(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import * as sms from "@azure/communication-sms"; new sms.SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import acs from "@azure/communication-identity"; new acs.CommunicationIdentityClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    { code: `import Sms from "@azure/communication-sms"; new Sms(cs);`, errors: [{ messageId: "connectionString" }] },
    {
      code: `import { CommunicationIdentityClient } from "@azure/communication-identity"; new CommunicationIdentityClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { EmailClient } from "@azure/communication-email"; new EmailClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { RoomsClient } from "@azure/communication-rooms"; new RoomsClient(cs, {});`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { CallAutomationClient } from "@azure/communication-call-automation"; new CallAutomationClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { PhoneNumbersClient } from "@azure/communication-phone-numbers"; new PhoneNumbersClient(process.env.CS);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { ChatClient } from "@azure/communication-chat"; new ChatClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `async function f() { const { SmsClient } = await import("@azure/communication-sms"); return new SmsClient(cs); }`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const m = await import("@azure/communication-sms"); new m.SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    // key credentials
    {
      code: `${SMS_IMPORT} ${KEY_IMPORT} new SmsClient(endpoint, new AzureKeyCredential(key));`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `${SMS_IMPORT} import { AzureNamedKeyCredential } from "@azure/core-auth"; new SmsClient(endpoint, new AzureNamedKeyCredential(n, k));`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `${SMS_IMPORT} new SmsClient(endpoint, { key: process.env.KEY });`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `${SMS_IMPORT} const credential = { key: k }; new SmsClient(endpoint, credential);`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `${SMS_IMPORT} ${KEY_IMPORT} const credential = new AzureKeyCredential(k); export const c = new SmsClient(endpoint, credential);`,
      errors: [{ messageId: "keyCredentialCreated" }, { messageId: "keyCredential" }],
    },
    {
      code: `${SMS_IMPORT} ${KEY_IMPORT} const a = new AzureKeyCredential(k); const b = a; new SmsClient(endpoint, b);`,
      errors: [{ messageId: "keyCredentialCreated" }, { messageId: "keyCredential" }],
    },
    {
      code: `${SMS_IMPORT} import * as coreAuth from "@azure/core-auth"; new SmsClient(endpoint, new coreAuth.AzureKeyCredential(k));`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `${SMS_IMPORT} ${KEY_IMPORT} export const cred = new AzureKeyCredential(k);`,
      errors: [{ messageId: "keyCredentialCreated" }],
    },
    {
      code: `import { AzureKeyCredential } from "@azure/communication-common"; import "@azure/communication-sms"; new AzureKeyCredential(k);`,
      errors: [{ messageId: "keyCredentialCreated" }],
    },
    // helpers for key auth
    {
      code: `import { parseConnectionString } from "@azure/communication-common"; parseConnectionString(cs);`,
      errors: [{ messageId: "keyHelper" }],
    },
    {
      code: `import { createCommunicationAccessKeyCredentialPolicy } from "@azure/communication-common"; createCommunicationAccessKeyCredentialPolicy(c);`,
      errors: [{ messageId: "keyHelper" }],
    },
    {
      code: `import * as common from "@azure/communication-common"; common.parseConnectionString(cs);`,
      errors: [{ messageId: "keyHelper" }],
    },
    {
      code: `import { createCommunicationAuthPolicy } from "@azure/communication-common"; ${KEY_IMPORT} createCommunicationAuthPolicy(new AzureKeyCredential(k));`,
      errors: [{ messageId: "keyHelper" }, { messageId: "keyCredentialCreated" }],
    },
    // literals
    { code: `const cs = "${CS}";`, errors: [{ messageId: "connectionStringLiteral" }] },
    {
      code: `const cs = "ACCESSKEY=${KEY};ENDPOINT=https://x.communication.azure.com/";`,
      errors: [{ messageId: "connectionStringLiteral" }],
    },
    {
      code: `const cs = "endpoint = https://x.communication.azure.com/ ; accesskey = ${KEY}";`,
      errors: [{ messageId: "connectionStringLiteral" }],
    },
    {
      code: "const cs = `endpoint=https://${name}.communication.azure.com/;accesskey=${key}`;",
      errors: [{ messageId: "connectionStringLiteral" }],
    },
    {
      code: `${SMS_IMPORT} new SmsClient("${CS}");`,
      errors: [{ messageId: "connectionString" }, { messageId: "connectionStringLiteral" }],
    },
  ],
});

cjs.run("no-key-auth (CommonJS)", rule, {
  valid: [
    `const { SmsClient } = require("@azure/communication-sms"); const { DefaultAzureCredential } = require("@azure/identity"); new SmsClient(e, new DefaultAzureCredential());`,
    `const { SmsClient } = require("./sms"); new SmsClient(cs);`,
    `const { AzureKeyCredential } = require("@azure/core-auth"); module.exports = new AzureKeyCredential(k);`,
  ],
  invalid: [
    {
      code: `const { SmsClient } = require("@azure/communication-sms"); new SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const { SmsClient: S } = require("@azure/communication-sms"); new S(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const sms = require("@azure/communication-sms"); new sms.SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const { SmsClient } = require("@azure/communication-sms"); const { AzureKeyCredential } = require("@azure/core-auth"); new SmsClient(e, new AzureKeyCredential(k));`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `const { parseConnectionString } = require("@azure/communication-common"); parseConnectionString(x);`,
      errors: [{ messageId: "keyHelper" }],
    },
    { code: `module.exports = { cs: "${CS}" };`, errors: [{ messageId: "connectionStringLiteral" }] },
  ],
});

ts.run("no-key-auth (TypeScript, no type information)", rule, {
  valid: [
    `${SMS_IMPORT} import type { TokenCredential } from "@azure/core-auth"; export function make(c: TokenCredential): SmsClient { return new SmsClient("https://x", c); }`,
    `${SMS_IMPORT} declare const cred: unknown; new SmsClient(e, cred as never);`,
    `import { AcsClientFactory } from "acs-baseline"; const f: AcsClientFactory = AcsClientFactory.fromEnvironment();`,
    `${KEY_IMPORT} const k: AzureKeyCredential = new AzureKeyCredential("x"); export { k };`,
  ],
  invalid: [
    {
      code: `${SMS_IMPORT} const cs: string = process.env.CS!; new SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `${SMS_IMPORT} ${KEY_IMPORT} new SmsClient(e, new AzureKeyCredential(k as string));`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `import { EmailClient } from "@azure/communication-email"; export const email: EmailClient = new EmailClient(cs, { retryOptions: {} });`,
      errors: [{ messageId: "connectionString" }],
    },
    { code: `const cs: string = "${CS}";`, errors: [{ messageId: "connectionStringLiteral" }] },
  ],
});

typed.run("no-key-auth (TypeScript with type information)", rule, {
  valid: [
    {
      code: `import { SmsClient } from "@azure/communication-sms"; import type { TokenCredential } from "@azure/core-auth"; declare const c: TokenCredential; export const s = new SmsClient("https://x", c);`,
      filename: join(typedDir, "valid1.ts"),
    },
  ],
  invalid: [
    {
      code: `import { SmsClient } from "@azure/communication-sms"; import type { KeyCredential } from "@azure/core-auth"; declare const c: KeyCredential; export const s = new SmsClient("https://x", c);`,
      filename: join(typedDir, "invalid1.ts"),
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `import { SmsClient } from "@azure/communication-sms"; declare function load(): { key: string }; export const s = new SmsClient("https://x", load());`,
      filename: join(typedDir, "invalid2.ts"),
      errors: [{ messageId: "keyCredential" }],
    },
  ],
});
