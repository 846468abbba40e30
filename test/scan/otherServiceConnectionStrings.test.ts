// Azure SignalR and Web PubSub connection strings have the ACS shape (`Endpoint=…;AccessKey=…`) but are another
// service's: the scan and the `no-key-auth` rule leave them out (a real repository that uses SignalR is not an ACS
// finding), while the runtime still refuses any connection string it is handed. An ACS resource whose name is
// `signalr`, or an ACS string next to a SignalR one, is still found.
import { randomBytes } from "node:crypto";
import { Linter } from "eslint";
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

  it("a look-alike host is not taken for SignalR's", () => {
    for (const host of ["https://x.signalr.net.evil.example", "https://signalr.net.communication.azure.com"]) {
      expect(findConnectionStringsInAnySpelling(`endpoint=${host}/;accesskey=${KEY}`)).toHaveLength(1);
    }
  });
});
