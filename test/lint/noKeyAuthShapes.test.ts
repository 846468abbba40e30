// The shapes of issue 13 item 3: REST client factories, whole-module require, require(...).Name, import x = require,
// as/satisfies/! wrappers, options in a variable, key-taking classes not named *Client — and no false alarm on
// new CallClient({ … }) from @azure/communication-calling.
import { cjs, esm, rule, ts } from "../support/ruleTesters.js";

esm.run("no-key-auth: REST clients and more shapes (ESM)", rule, {
  valid: [
    // the calling SDK's CallClient takes options, never a connection string
    `import { CallClient } from "@azure/communication-calling"; const c = new CallClient({ logger });`,
    `import { CallClient } from "@azure/communication-calling"; const c = new CallClient();`,
    `import { CallClient } from "@azure/communication-calling"; const options = { diagnostics: { appName: "x" } }; const c = new CallClient(options);`,
    `import { CallClient } from "@azure/communication-calling"; const c = new CallClient(callClientOptions);`,
    `import { CallClient, Features } from "@azure/communication-calling"; new CallClient({}).createCallAgent(tokenCredential);`,
    // whatever its options are called or wherever they come from (the calling SDKs take nothing else)
    `import { CallClient } from "@azure/communication-calling"; class S { o = { logger }; a() { return new CallClient(this.o); } }`,
    `import { CallClient } from "@azure/communication-calling"; new CallClient(getCallClientOptions());`,
    `import { CallClient } from "@azure/communication-calling"; function d(config) { return new CallClient(config); }`,
    `import { CallClient } from "@azure/communication-calling"; function g(props) { return new CallClient(props.callClientOptions); }`,
    `import { createStatefulCallClient } from "@azure/communication-react"; createStatefulCallClient(args);`,
    // REST clients with Entra ID
    `import MessageClient from "@azure-rest/communication-messages"; import { DefaultAzureCredential } from "@azure/identity"; MessageClient(endpoint, new DefaultAzureCredential());`,
    `import JobRouterClient from "@azure-rest/communication-job-router"; JobRouterClient(endpoint, credential);`,
    // token credentials of the common package take a user token
    `import { AzureCommunicationTokenCredential } from "@azure/communication-common"; new AzureCommunicationTokenCredential({ tokenRefresher, refreshProactively: true });`,
    `import { SmsClient } from "@azure/communication-sms"; new SmsClient(endpoint, credential, options);`,
  ],
  invalid: [
    {
      code: `import MessageClient from "@azure-rest/communication-messages"; const client = MessageClient(connectionString);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import JobRouterClient from "@azure-rest/communication-job-router"; JobRouterClient(process.env.ACS_CONNECTION_STRING);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import MessageClient from "@azure-rest/communication-messages"; import { AzureKeyCredential } from "@azure/core-auth"; MessageClient(endpoint, new AzureKeyCredential(key));`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `import { EmailClient } from "@azure/communication-email"; const options = { retryOptions: {} }; new EmailClient(connectionString, options);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { EmailClient } from "@azure/communication-email"; new EmailClient(connectionString, emailOptions);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { SomeKeyTaker } from "@azure/communication-something"; import { AzureKeyCredential } from "@azure/core-auth"; new SomeKeyTaker(endpoint, new AzureKeyCredential(k));`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `import { SomeKeyTaker } from "@azure/communication-something"; new SomeKeyTaker(process.env.ACS_CONNECTION_STRING);`,
      errors: [{ messageId: "connectionString" }],
    },
    // a placeholder key is a template (the scan reports it as connection-string-template); an interpolated key is real
    {
      code: `const sample = "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>";`,
      errors: [{ messageId: "connectionStringTemplate" }],
    },
    {
      code: "const cs = `endpoint=https://${host}/;accesskey=${process.env.KEY}`;",
      errors: [{ messageId: "connectionStringLiteral" }],
    },
  ],
});

cjs.run("no-key-auth: require shapes (CommonJS)", rule, {
  valid: [`const { CallClient } = require("@azure/communication-calling"); new CallClient({});`],
  invalid: [
    {
      code: `const SmsClient = require("@azure/communication-sms"); new SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const SmsClient = require("@azure/communication-sms").SmsClient; new SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const client = new (require("@azure/communication-sms").SmsClient)(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const client = require("@azure-rest/communication-messages").default(connectionString);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const MessageClient = require("@azure-rest/communication-messages").default; MessageClient(process.env.CONNECTION_STRING);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `const Router = require("@azure-rest/communication-job-router"); Router(connectionString);`,
      errors: [{ messageId: "connectionString" }],
    },
  ],
});

ts.run("no-key-auth: TypeScript shapes", rule, {
  valid: [
    `import { CallClient } from "@azure/communication-calling"; const c = new CallClient({ logger } as CallClientOptions);`,
  ],
  invalid: [
    {
      code: `import sms = require("@azure/communication-sms"); new sms.SmsClient(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { SmsClient } from "@azure/communication-sms"; new SmsClient(process.env.CS as string);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { SmsClient } from "@azure/communication-sms"; new SmsClient(process.env.CS!);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      code: `import { SmsClient } from "@azure/communication-sms"; import { AzureKeyCredential } from "@azure/core-auth"; new SmsClient(e, new AzureKeyCredential(k) as unknown as KeyCredential);`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `import { SmsClient } from "@azure/communication-sms"; import { AzureKeyCredential } from "@azure/core-auth"; new SmsClient(e, new AzureKeyCredential(k) satisfies KeyCredential);`,
      errors: [{ messageId: "keyCredential" }],
    },
    {
      code: `import { SmsClient } from "@azure/communication-sms"; new (SmsClient as typeof SmsClient)(cs);`,
      errors: [{ messageId: "connectionString" }],
    },
    {
      // A parameter decorator's argument (the scan reads TypeScript as TS-ESTree too, so it finds this as well).
      code: `import { SmsClient } from "@azure/communication-sms"; import { AzureKeyCredential } from "@azure/core-auth"; class M { m(@Inject(new SmsClient(e, new AzureKeyCredential(k))) p: string) {} }`,
      errors: [{ messageId: "keyCredential" }],
    },
  ],
});
