// Issue 25 item 7 (JavaScript part): what a motivated developer writes to get past the rule — aliases, destructuring
// renames, spreads, reflective construction, assembled module names, escapes and concatenation — is still reported;
// names that only appear in comments or documentation strings are not.
import { cjs, esm, rule, ts } from "../support/ruleTesters.js";

const KEY = "c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5MDE=";
const SMS = 'import { SmsClient } from "@azure/communication-sms";';
const KEY_IMPORT = 'import { AzureKeyCredential } from "@azure/core-auth";';
const COMMON = 'import { parseConnectionString } from "@azure/communication-common";';
const cs = (messageId = "connectionString") => [{ messageId }];

esm.run("no-key-auth: evasions (ESM)", rule, {
  valid: [
    // names in comments and documentation strings only
    `/** Never write new SmsClient(connectionString): see docs. */ export const help = "new SmsClient(connectionString) is refused; use AcsClientFactory";`,
    `// import { SmsClient } from "@azure/communication-sms"; new SmsClient(cs);\nexport const x = 1;`,
    "export const doc = `Call Reflect.construct(SmsClient, [cs]) and you are reported`;",
    // aliases of other classes, unknown spreads, shadowed Reflect: no guessing
    `import { SmsClient } from "./sms.js"; const C = SmsClient; new C(cs);`,
    `${SMS} new SmsClient(...getArguments());`,
    `${SMS} const args = [endpoint, credential]; new SmsClient(...args);`,
    `${SMS} const Reflect = { construct() {} }; Reflect.construct(SmsClient, [cs]);`,
    `${SMS} function make(C) { return new C(cs); } make(Other);`,
    // a subclass with its own constructor decides its own arguments
    `${SMS} class Mine extends SmsClient { constructor(e) { super(e, new DefaultAzureCredential()); } } new Mine(endpoint);`,
    // an alias that is Entra ID all the way
    `${SMS} import { DefaultAzureCredential } from "@azure/identity"; const C = SmsClient; new C(endpoint, new DefaultAzureCredential());`,
    // a URL-encoded string that is not a connection string
    `const u = "https%3A%2F%2Fcontoso.communication.azure.com%2Fsms";`,
  ],
  invalid: [
    // aliases
    { code: `${SMS} const C = SmsClient; new C(cs);`, errors: cs() },
    { code: `${SMS} let C = SmsClient; const D = C; new D(process.env.ANYTHING);`, errors: cs() },
    { code: `${SMS} new (0, SmsClient)(value);`, errors: cs() },
    { code: `${SMS} const C = flag ? SmsClient : SmsClient; new C(value);`, errors: cs() },
    {
      code: `import * as sms from "@azure/communication-sms"; const { SmsClient: S } = sms; new S(value);`,
      errors: cs(),
    },
    {
      code: `import * as sms from "@azure/communication-sms"; const { default: d } = { default: 1 }; new sms["Sms" + "Client"](value);`,
      errors: cs(),
    },
    {
      code: `import * as sms from "@azure/communication-sms"; const NAME = "SmsClient"; new sms[NAME](value);`,
      errors: cs(),
    },
    { code: `${SMS} const { fromConnectionString: f } = SmsClient; f(value);`, errors: cs() },
    { code: `${SMS} SmsClient.fromConnectionString(value);`, errors: cs() },
    { code: `${COMMON} const p = parseConnectionString; p(value);`, errors: cs("keyHelper") },
    // subclasses that keep the constructor, and a local require
    { code: `${SMS} class Quiet extends SmsClient {} new Quiet(value);`, errors: cs() },
    { code: `${SMS} const Quiet = class extends SmsClient {}; new Quiet(value);`, errors: cs() },
    { code: `${SMS} new (class extends SmsClient {})(value);`, errors: cs() },
    { code: `${SMS} class Quiet extends SmsClient { constructor(s) { super(s); } }`, errors: cs() },
    {
      code: `${SMS} ${KEY_IMPORT} class Quiet extends SmsClient { constructor(e, k) { super(e, new AzureKeyCredential(k)); } }`,
      errors: cs("keyCredential"),
    },
    {
      code: `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); const { SmsClient } = require("@azure/communication-sms"); new SmsClient(value);`,
      errors: cs(),
    },
    // spreads
    { code: `${SMS} const args = [cs]; new SmsClient(...args);`, errors: cs() },
    { code: `${SMS} new SmsClient(...[process.env.ACS_CONNECTION_STRING]);`, errors: cs() },
    { code: `${SMS} const a = [value]; const b = [...a]; new SmsClient(...b);`, errors: cs() },
    {
      code: `${SMS} ${KEY_IMPORT} const args = [endpoint, new AzureKeyCredential(k)]; new SmsClient(...args);`,
      errors: [{ messageId: "keyCredentialCreated" }, { messageId: "keyCredential" }],
    },
    // reflective construction and calls
    { code: `${SMS} Reflect.construct(SmsClient, [cs]);`, errors: cs() },
    { code: `${SMS} const args = [value]; Reflect.construct(SmsClient, args);`, errors: cs() },
    {
      code: `${SMS} ${KEY_IMPORT} Reflect.construct(SmsClient, [endpoint, Reflect.construct(AzureKeyCredential, [k])]);`,
      errors: [{ messageId: "keyCredential" }, { messageId: "keyCredentialCreated" }],
    },
    { code: `${COMMON} Reflect.apply(parseConnectionString, undefined, [value]);`, errors: cs("keyHelper") },
    { code: `${COMMON} parseConnectionString.call(null, value);`, errors: cs("keyHelper") },
    { code: `${COMMON} parseConnectionString.apply(null, [value]);`, errors: cs("keyHelper") },
    // module names assembled or escaped
    { code: `const m = await import("@azure/" + "communication-sms"); new m.SmsClient(value);`, errors: cs() },
    {
      code: "const pkg = `@azure/communication-${'sms'}`; const m = await import(pkg); new m.SmsClient(value);",
      errors: cs(),
    },
    { code: `import { SmsClient } from "\\u0040azure/communication-sms"; new SmsClient(value);`, errors: cs() },
    { code: `import { \\u0053msClient } from "@azure/communication-sms"; new \\u0053msClient(value);`, errors: cs() },
    // keys written with escapes, and concatenated
    {
      code: `const s = "endpoint\\u003dhttps://x.communication.azure.com/;accesskey\\u003d${KEY}";`,
      errors: cs("connectionStringLiteral"),
    },
    {
      code: `const s = "endpoint=https://x.communication.azure.com/;\\u0061ccesskey=${KEY}";`,
      errors: cs("connectionStringLiteral"),
    },
    {
      code: `const s = '{"cs":"endpoint\\\\u003dhttps://x.communication.azure.com/;accesskey\\\\u003d${KEY}"}';`,
      errors: cs("connectionStringLiteral"),
    },
    {
      code: `const s = "endpoint%3Dhttps%3A%2F%2Fx.communication.azure.com%2F%3Baccesskey%3D${encodeURIComponent(KEY)}";`,
      errors: cs("connectionStringLiteral"),
    },
    {
      code: `const s = "endpoint%253Dhttps%253A%252F%252Fx.communication.azure.com%252F%253B%2561ccesskey%253D${KEY}";`,
      errors: cs("connectionStringLiteral"),
    },
    {
      code: `const s = "endpoint=https://x.communication.azure.com/;" + "accesskey=" + key;`,
      errors: cs("connectionStringLiteral"),
    },
    {
      code: `const s = "endpoint=https://x.communication.azure.com/;" + "accesskey=<your key>";`,
      errors: cs("connectionStringTemplate"),
    },
  ],
});

cjs.run("no-key-auth: evasions (CommonJS)", rule, {
  valid: [`const sms = require("./communication-sms"); new sms.SmsClient(cs);`],
  invalid: [
    { code: `new (require("@azure/communication-sms").SmsClient)(value);`, errors: cs() },
    { code: `const m = module.require("@azure/communication-sms"); new m.SmsClient(value);`, errors: cs() },
    {
      code: `const { SmsClient: { fromConnectionString: f } } = require("@azure/communication-sms"); f(value);`,
      errors: cs(),
    },
    {
      code: `const C = require("@azure/communication-sms")["SmsClient"]; Reflect.construct(C, [value]);`,
      errors: cs(),
    },
  ],
});

ts.run("no-key-auth: evasions (TypeScript)", rule, {
  valid: [],
  invalid: [
    { code: `${SMS} const C = SmsClient as unknown as new (s: string) => object; new C(value);`, errors: cs() },
    { code: `${SMS} const args = [value] as const; new SmsClient(...(args as unknown as [string]));`, errors: cs() },
  ],
});
