// The `hmac-signing` rule and the Azure SDK's own key policy: `@azure/communication-common` signs requests with
// `HMAC-SHA256 SignedHeaders=…` in `createCommunicationAccessKeyCredentialPolicy`, so every bundle of the SDK (an
// Entra ID app's too) and every vendored copy of its dist holds that code. It names itself
// (`"CommunicationAccessKeyCredentialPolicy"`, a string minifiers keep); hand-written signing in app code does not.
import { describe, expect, it } from "vitest";
import { scanText } from "../../packages/cli/src/scan/scan.js";

const HMAC = "acs-baseline/hmac-signing";
const hmacIn = (file: string, text: string) => scanText(file, text).filter((f) => f.ruleId === HMAC);

/** The SDK's published ESM file (communication-common 2.x, dist/esm/credential/…), as npm ships it. */
const SDK_ESM = `// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.
import { computeSha256Hash, computeSha256Hmac } from "@azure/core-util";
/**
 * CommunicationKeyCredentialPolicy provides a means of signing requests made through
 * the SmsClient.
 */
const communicationAccessKeyCredentialPolicy = "CommunicationAccessKeyCredentialPolicy";
/**
 * Creates an HTTP pipeline policy to authenticate a request using a \`KeyCredential\`.
 * @hidden
 *
 * @param credential - The key credential.
 */
export function createCommunicationAccessKeyCredentialPolicy(credential) {
    return {
        name: communicationAccessKeyCredentialPolicy,
        async sendRequest(request, next) {
            const verb = request.method.toUpperCase();
            const utcNow = new Date().toUTCString();
            const contentHash = await computeSha256Hash(request.body?.toString() || "", "base64");
            const dateHeader = "x-ms-date";
            const signedHeaders = \`\${dateHeader};host;x-ms-content-sha256\`;
            const url = new URL(request.url);
            const query = url.searchParams.toString();
            const urlPathAndQuery = query ? \`\${url.pathname}?\${query}\` : url.pathname;
            const stringToSign = \`\${verb}\\n\${urlPathAndQuery}\\n\${utcNow};\${url.host};\${contentHash}\`;
            const signature = await computeSha256Hmac(credential.key, stringToSign, "base64");
            // Host is a forbidden header in browsers (silently ignored), but needed in Node.js
            request.headers.set("Host", url.host);
            request.headers.set(dateHeader, utcNow);
            request.headers.set("x-ms-content-sha256", contentHash);
            request.headers.set("Authorization", \`HMAC-SHA256 SignedHeaders=\${signedHeaders}&Signature=\${signature}\`);
            return next(request);
        },
    };
}
`;

/** The same policy as vite/rolldown minifies it into an app's bundle (every name mangled, the policy's name kept). */
const SDK_MINIFIED =
  "var ca=class{_key;get key(){return this._key}constructor(e){this._key=e}};var ua=`CommunicationAccessKeyCredentialPolicy`;" +
  "function da(e){return{name:ua,async sendRequest(t,n){let r=t.method.toUpperCase(),i=new Date().toUTCString()," +
  "a=await mi(t.body?.toString()||``,`base64`),o=`x-ms-date`,s=`${o};host;x-ms-content-sha256`,c=new URL(t.url)," +
  "l=c.searchParams.toString(),u=`${r}\\n${l?`${c.pathname}?${l}`:c.pathname}\\n${i};${c.host};${a}`," +
  "d=await hi(e.key,u,`base64`);return t.headers.set(`Host`,c.host),t.headers.set(o,i)," +
  "t.headers.set(`x-ms-content-sha256`,a),t.headers.set(`Authorization`,`HMAC-SHA256 SignedHeaders=${s}&Signature=${d}`),n(t)}}}" +
  "function fa(e){return la(e)?aa({credential:e,scopes:[`https://communication.azure.com//.default`]}):da(e)}";

/** An Entra ID app's code, as it ends up in the same bundle. */
const ENTRA_APP = "const sms=new SmsClient(`https://contoso.communication.azure.com`,new DefaultAzureCredential());";

/** A hand-written signer (the shape of the ACS REST tutorial), minified. */
const HAND_MINIFIED =
  "function sg(k,m,p,b){let d=new Date().toUTCString(),h=Ca(`sha256`).update(b).digest(`base64`)," +
  "s=Hm(`sha256`,Buffer.from(k,`base64`)).update(`${m}\\n${p}\\n${d};contoso.communication.azure.com;${h}`).digest(`base64`);" +
  'return{"x-ms-date":d,"x-ms-content-sha256":h,Authorization:`HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${s}`}}';

/** A hand-written signer in app source. */
const HAND_SOURCE = `import { createHmac } from "node:crypto";
// Calls the Communication Services REST API.
export function sign(key: string, stringToSign: string, date: string, hash: string) {
  const signature = createHmac("sha256", Buffer.from(key, "base64")).update(stringToSign).digest("base64");
  return {
    "x-ms-date": date,
    "x-ms-content-sha256": hash,
    Authorization: \`HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=\${signature}\`,
  };
}
`;

/** Minified library code between two modules of a bundle, to put the app's signer far from the SDK's. */
const FILLER = "function q(e){return e==null?void 0:String(e).trim()}".repeat(60);

describe("hmac-signing: the SDK's own key policy is not the app signing with a key", () => {
  it("does not report the SDK's published file (ESM, CommonJS shape, TypeScript source)", () => {
    expect(
      hmacIn("vendor/communication-common/dist/esm/credential/communicationAccessKeyCredentialPolicy.js", SDK_ESM),
    ).toEqual([]);
    const cjs = SDK_ESM.replace("export function", "function").concat(
      "exports.createCommunicationAccessKeyCredentialPolicy = createCommunicationAccessKeyCredentialPolicy;\n",
    );
    expect(hmacIn("dist/commonjs/credential/communicationAccessKeyCredentialPolicy.js", cjs)).toEqual([]);
  });

  it("does not report a minified production bundle of an Entra ID app that bundles the SDK", () => {
    const bundle = `${FILLER}${SDK_MINIFIED}${FILLER}${ENTRA_APP}\n`;
    expect(hmacIn("dist/assets/index-4f2a9c.js", bundle)).toEqual([]);
    // Also when the bundle does not parse (it is then searched as text only).
    expect(hmacIn("dist/assets/broken.js", `${SDK_MINIFIED}${ENTRA_APP}{{{\n`)).toEqual([]);
  });

  it("does not report the SDK's source map, whose sourcesContent holds the policy's TypeScript source", () => {
    const map = JSON.stringify({
      version: 3,
      file: "communicationAccessKeyCredentialPolicy.js",
      sources: ["../../../src/credential/communicationAccessKeyCredentialPolicy.ts"],
      sourcesContent: [SDK_ESM],
      mappings: "AAAA",
    });
    expect(hmacIn("dist/esm/credential/communicationAccessKeyCredentialPolicy.js.map", map)).toEqual([]);
  });

  it("still reports a hand-written signer in app source, and in its source map", () => {
    expect(hmacIn("src/sign.ts", HAND_SOURCE).map((f) => f.line)).toEqual([8]);
    const map = JSON.stringify({
      version: 3,
      sources: ["../src/sign.ts"],
      sourcesContent: [HAND_SOURCE],
      mappings: "",
    });
    expect(hmacIn("dist/sign.js.map", map)).toHaveLength(1);
  });

  it("still reports a hand-written signer minified into a bundle that also holds the SDK's policy", () => {
    const bundle = `${SDK_MINIFIED}${FILLER}${HAND_MINIFIED}${ENTRA_APP}\n`;
    const found = hmacIn("dist/assets/index.js", bundle);
    expect(found).toHaveLength(1);
    expect(found[0].column).toBe(bundle.indexOf("HMAC-SHA256 SignedHeaders=x-ms-date") + 1);
  });

  it("does not take a longer name that only contains the policy's name for it", () => {
    const text = `const myCommunicationAccessKeyCredentialPolicyClone = 1;\n${HAND_SOURCE}`;
    expect(hmacIn("src/sign.ts", text)).toHaveLength(1);
  });
});

describe("hmac-signing: only the SDK's code names the policy, never a comment or another language", () => {
  const MODELLED = `// Our own signer, modelled on the SDK's communicationAccessKeyCredentialPolicy.\n${HAND_SOURCE}`;

  it("reports a hand-written signer whose comment names the SDK's policy", () => {
    expect(hmacIn("src/sign.ts", MODELLED)).toHaveLength(1);
    expect(
      hmacIn("src/sign.ts", `/*\n * See "CommunicationAccessKeyCredentialPolicy".\n */\n${HAND_SOURCE}`),
    ).toHaveLength(1);
  });

  it("reports a Python or C# signer whatever names the policy before it", () => {
    const py = `# Port of communicationAccessKeyCredentialPolicy\nname = "CommunicationAccessKeyCredentialPolicy"\ndef auth(sig):\n    return f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}"\n`;
    expect(hmacIn("sign.py", py)).toHaveLength(1);
    expect(hmacIn("Sign.cs", py.replace(/^#/, "//"))).toHaveLength(1);
  });
});
