// Azure SignalR and Web PubSub connection strings have the ACS shape (`Endpoint=…;AccessKey=…`) but are another
// service's: the scan and the `no-key-auth` rule leave them out (a real repository that uses SignalR is not an ACS
// finding), while the runtime still refuses any connection string it is handed. An ACS resource whose name is
// `signalr`, or an ACS string next to a SignalR one, is still found.
import { randomBytes } from "node:crypto";
import { Linter } from "eslint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holdsConnectionString } from "../../packages/acs-baseline/src/text/connectionString.js";
import { findConnectionStringsInAnySpelling } from "../../packages/acs-baseline/src/text/index.js";
import { scanText } from "../../packages/cli/src/scan/scan.js";
import plugin from "../../packages/eslint-plugin/src/index.js";

const KEY = randomBytes(32).toString("base64");
const linter = new Linter({ configType: "flat" });
const lint = (code: string) => linter.verify(code, [plugin.configs.recommended], { filename: "app.ts" });
const ruleFindings = (file: string, text: string) =>
  scanText(file, text).filter((f) => f.ruleId === "acs-baseline/connection-string");

const OTHER = [
  ["SignalR", `Endpoint=https://chat-prod.service.signalr.net;AccessKey=${KEY};Version=1.0;`],
  ["SignalR without Version", `Endpoint=https://chat-prod.service.signalr.net;AccessKey=${KEY};`],
  ["SignalR (Azure Government)", `Endpoint=https://chat.signalr.azure.us;AccessKey=${KEY};`],
  ["Web PubSub", `Endpoint=https://notify.webpubsub.azure.com;AccessKey=${KEY};Version=1.0;`],
  ["the SignalR emulator", `Endpoint=http://localhost;Port=8999;AccessKey=${KEY};Version=1.0;`],
  ["key first, then Version", `AccessKey=${KEY};Endpoint=https://notify.example.net;Version=1.0;`],
];

describe("SignalR and Web PubSub connection strings", () => {
  it.each(OTHER)("%s: not a scan finding nor a lint message, still refused by the runtime", (_name, value) => {
    expect(findConnectionStringsInAnySpelling(value)).toEqual([]);
    expect(
      ruleFindings("appsettings.json", JSON.stringify({ Azure: { SignalR: { ConnectionString: value } } })),
    ).toEqual([]);
    expect(ruleFindings("src/hub.ts", `export const cs = ${JSON.stringify(value)};\n`)).toEqual([]);
    expect(lint(`const cs = ${JSON.stringify(value)};`).filter((m) => m.ruleId?.startsWith("acs-baseline/"))).toEqual(
      [],
    );
    expect(holdsConnectionString(value)).toBe(true);
  });

  it("an ACS resource named signalr, or an ACS string next to a SignalR one, is still found", () => {
    const acs = `endpoint=https://signalr.communication.azure.com/;accesskey=${KEY}`;
    expect(findConnectionStringsInAnySpelling(acs)).toHaveLength(1);
    const both = `SIGNALR=Endpoint=https://x.service.signalr.net;AccessKey=${KEY};Version=1.0;\nACS=${acs}\n`;
    const found = ruleFindings(".env", both);
    expect(found).toHaveLength(1);
    expect(found[0]?.line).toBe(2);
    expect(JSON.stringify(found)).not.toContain(KEY.slice(0, 16));
    expect(lint(`const cs = ${JSON.stringify(acs)};`).some((m) => m.ruleId === "acs-baseline/no-key-auth")).toBe(true);
  });

  // Spellings that once hid a working ACS string behind the exclusion (an adversarial review): a `Version=` pair after
  // an ACS key, a SignalR host that only a regular expression reads (user info, `\\`), a SignalR endpoint next to the
  // ACS one, and a SignalR endpoint named earlier on a look-alike line.
  const ACS = "https://contoso.communication.azure.com/";
  const HIDDEN = [
    ["Version after an ACS key", `endpoint=${ACS};accesskey=${KEY};Version=1.0;`],
    ["version, spaced, after an ACS key", `endpoint=${ACS};accesskey=${KEY} ; version = 2`],
    ["key first, ACS endpoint, Version", `accesskey=${KEY};endpoint=${ACS};Version=1.0`],
    [
      "a SignalR host before a backslash",
      `endpoint=https://contoso.communication.azure.com\\x.service.signalr.net;accesskey=${KEY}`,
    ],
    [
      "a backslash and /..",
      `endpoint=https://contoso.communication.azure.com\\x.service.signalr.net/..;accesskey=${KEY}`,
    ],
    [
      "a SignalR host as user info",
      `endpoint=https://x.service.signalr.net:1@contoso.communication.azure.com/;accesskey=${KEY}`,
    ],
    ["a SignalR endpoint, then the ACS one", `endpoint=https://x.service.signalr.net;endpoint=${ACS};accesskey=${KEY}`],
    [
      "the ACS endpoint glued, then a SignalR one",
      `xendpoint=${ACS};endpoint=https://x.service.signalr.net;accesskey=${KEY}`,
    ],
    [
      "a look-alike line naming SignalR first",
      `SIGNALR_ENDPOINT=https://x.service.signalr.net ACS=endpoint=${ACS};access\uff4bey=${KEY}`,
    ],
    ["a look-alike key name and Version", `endpoint=${ACS};access\uff4bey=${KEY};Version=1`],
    [
      "an ACS string before a SignalR one on its line",
      `endpoint=${ACS};accesskey=${KEY};Endpoint=https://x.service.signalr.net;AccessKey=${KEY};Version=1.0;`,
    ],
  ];

  // A second review: a `;` (or a look-alike of `;`, `/`, `?`, `#`, `\\`) in the user info ends the endpoint for a
  // reading up to `;` but not for the SDK's parser; and a key-first ACS pair on the line after a SignalR endpoint.
  const SECOND = [
    [
      "a ';' in the user info",
      `endpoint=https://x.service.signalr.net;@contoso.communication.azure.com/;accesskey=${KEY}`,
    ],
    [
      "Web PubSub user info",
      `Endpoint=https://x.webpubsub.azure.com;u@contoso.communication.azure.com/;AccessKey=${KEY}`,
    ],
    [
      "localhost user info and Version",
      `endpoint=http://localhost;@contoso.communication.azure.com/;accesskey=${KEY};Version=1.0`,
    ],
    [
      "a full-width ';' in the user info",
      `endpoint=https://x.service.signalr.net\uff1b@contoso.communication.azure.com/;accesskey=${KEY}`,
    ],
    [
      "a Greek question mark in the user info",
      `endpoint=https://x.service.signalr.net\u037e@contoso.communication.azure.com/;accesskey=${KEY}`,
    ],
    [
      "a full-width '/' in the user info",
      `endpoint=https://x.service.signalr.net\uff0f@contoso.communication.azure.com/;accesskey=${KEY}`,
    ],
    [
      "key first on the line after a SignalR endpoint",
      `Endpoint=https://x.service.signalr.net;\nAccessKey=${KEY};Endpoint=${ACS}`,
    ],
    [
      "the same with CRLF and Version",
      `Endpoint=https://x.service.signalr.net;Version=1.0;\r\nAccessKey=${KEY};Endpoint=${ACS}`,
    ],
    [
      "the emulator's form, then U+2028",
      `Endpoint=http://localhost;Port=8999;Version=1.0;\u2028AccessKey=${KEY};Endpoint=${ACS}`,
    ],
  ];
  HIDDEN.push(...SECOND);

  it.each(HIDDEN)("%s: still found by the finder, the scan and the rule", (_name, value) => {
    expect(findConnectionStringsInAnySpelling(value).length).toBeGreaterThan(0);
    expect(ruleFindings(".env", `ACS=${value}\n`).length).toBeGreaterThan(0);
    expect(lint(`const cs = ${JSON.stringify(value)};`).some((m) => m.ruleId === "acs-baseline/no-key-auth")).toBe(
      true,
    );
  });

  // The exclusion only ever drops what is another service's: with the words it looks for spelled otherwise (so it
  // cannot apply), the finder reports a line with the ACS endpoint on it; it must report it as written too.
  it("an ACS string stays found whatever SignalR-like text stands around it on its line", () => {
    const fragment = fc.constantFrom(
      "Endpoint=https://x.service.signalr.net;",
      "AccessKey=abc;",
      ";Version=1.0;",
      " version = 2",
      "SIGNALR_ENDPOINT=https://a.webpubsub.azure.com ",
      "\\x.service.signalr.net",
      "x.service.signalr.net:1@",
      "x.service.signalr.net;@",
      "x.webpubsub.azure.com\uff1b@",
      "Endpoint=https://x.service.signalr.net;\n",
      "/..",
      "\u200b",
      " ",
      '"',
    );
    const around = fc.array(fragment, { maxLength: 4 }).map((parts) => parts.join(""));
    const signalR = `Endpoint=https://x.service.signalr.net;AccessKey=${KEY};Version=1.0;`;
    const inert = (text: string) =>
      text
        .replace(/signalr/gi, "signalq")
        .replace(/webpubsub/gi, "webpubsuq")
        .replace(/version/gi, "vxrsion");
    fc.assert(
      fc.property(around, around, (before, after) => {
        const line = `${before}endpoint=${ACS};accesskey=${KEY}${after}`;
        for (const text of [line, `${signalR}\n${line}`]) {
          fc.pre(findConnectionStringsInAnySpelling(inert(text)).length > 0);
          expect(findConnectionStringsInAnySpelling(text).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("an endpoint value longer than 2 KiB is not judged (the finding is kept), so nested endpoints stay cheap", () => {
    const long = `endpoint=https://x.service.signalr.net/${"endpoint=https://x.service.signalr.net/".repeat(60)}`;
    expect(findConnectionStringsInAnySpelling(`${long};accesskey=${KEY};Version=1.0`)).toHaveLength(1);
    const short = "endpoint=https://x.service.signalr.net/".repeat(3);
    expect(findConnectionStringsInAnySpelling(`${short};accesskey=${KEY};Version=1.0`)).toEqual([]);
  });

  it("a look-alike host is not taken for SignalR's", () => {
    for (const host of ["https://x.signalr.net.evil.example", "https://signalr.net.communication.azure.com"]) {
      expect(findConnectionStringsInAnySpelling(`endpoint=${host}/;accesskey=${KEY}`)).toHaveLength(1);
    }
  });
});
