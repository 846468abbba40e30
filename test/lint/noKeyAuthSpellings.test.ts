// no-key-auth used alone in an app's ESLint (no scan): connection strings in every spelling the ACS SDKs' parser
// accepts (`/endpoint=(.*);accesskey=(.*)/i`), quoted values, look-alikes and base64 in a string literal are
// reported, masked; code that only builds or parses one is not. Each invalid case passed the rule before.
import { randomBytes } from "node:crypto";
import { esm, rule, ts } from "../support/ruleTesters.js";

const KEY = randomBytes(64).toString("base64");
const HOST = "https://contoso.communication.azure.com";
const b64 = (text: string) => Buffer.from(text).toString("base64");
const literal = (code: string) => ({ code, errors: [{ messageId: "connectionStringLiteral" }] });

esm.run("no-key-auth: every spelling the ACS SDKs accept", rule, {
  valid: [
    `const re = new RegExp("endpoint=(.*);accesskey=(.*)", "i");`,
    `const t = "concat('endpoint=https://', n, ';accesskey=', listKeys(id).primaryKey)";`,
    `const doc = "set endpoint=… and rotate the accesskey; see the docs";`,
    `const notAKey = "${b64(`endpoint=${HOST}/;accesskey=<key>`)}";`,
  ],
  invalid: [
    literal(`const cs = ${JSON.stringify(`endpoint=${HOST}/?a;b;accesskey=${KEY}`)};`),
    literal(`const cs = ${JSON.stringify(`endpoint=${HOST}/?a b;accesskey=${KEY}`)};`),
    literal(`const cs = ${JSON.stringify(`ACS_ENDPOINT=${HOST}/;accesskey=${KEY}`)};`),
    literal(`const cs = ${JSON.stringify(`Endpoint="${HOST}/";AccessKey="${KEY}"`)};`),
    literal(`const cs = ${JSON.stringify(`ｅｎｄｐｏｉｎｔ＝${HOST}/；ａｃｃｅｓｓｋｅｙ＝${KEY}`)};`),
    literal(`const cs = ${JSON.stringify(`end\u200bpoint=${HOST}/;access\u200bkey=${KEY}`)};`),
    literal(`const cs = \`endpoint=\${host}/#;x;accesskey=${KEY}\`;`),
    literal(`const cs = "endpoint=${HOST}/?a;" + "b;accesskey=${KEY}";`),
    {
      code: `const cs = Buffer.from("${b64(`endpoint=${HOST}/;accesskey=${KEY}`)}", "base64").toString();`,
      errors: [
        {
          messageId: "connectionStringLiteral",
          data: { what: "base64-encoded string", masked: `endpoint=${HOST}/;accesskey=***` },
        },
      ],
    },
    {
      code: `const cs = "myendpoint=${HOST}/?a;b;accesskey=<your-key>";`,
      errors: [{ messageId: "connectionStringTemplate" }],
    },
  ],
});

ts.run("no-key-auth: every spelling the ACS SDKs accept (TypeScript)", rule, {
  valid: [`const re: RegExp = new RegExp("endpoint=([^;]+);accesskey=(\\\\S+)");`],
  invalid: [literal(`const cs: string = ${JSON.stringify(`endpoint=${HOST}/?a"b;accesskey=${KEY}`)};`)],
});
