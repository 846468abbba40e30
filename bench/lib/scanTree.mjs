// Generates a source tree for the scan benchmark: mostly ordinary code and config, with seeded ACS key-auth
// cases in known files. Returns the seeded file paths (relative) so finders can be scored.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const FAKE_KEY = "QUNTQkVOQ0hGQUtFS0VZQUNTQkVOQ0hGQUtFS0VZQUNTQkVOQ0g="; // not a real key: base64 of a marker

const SEEDS = [
  ["js", `import { SmsClient } from "@azure/communication-sms";\nconst client = new SmsClient("endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}");\n`],
  ["js", `const { SmsClient } = require("@azure/communication-sms");\nconst client = new SmsClient(process.env.ACS_CONNECTION_STRING);\n`],
  ["ts", `import { CommunicationIdentityClient } from "@azure/communication-identity";\nimport { AzureKeyCredential } from "@azure/core-auth";\nexport const c = new CommunicationIdentityClient("https://contoso.communication.azure.com", new AzureKeyCredential(process.env.ACS_KEY!));\n`],
  ["mjs", `import * as sms from "@azure/communication-sms";\nconst cs = process.env.CS;\nexport const client = new sms.SmsClient(cs, { retryOptions: { maxRetries: 2 } });\n`],
  ["ts", `import { EmailClient } from "@azure/communication-email";\nimport { AzureKeyCredential } from "@azure/core-auth";\nconst credential = new AzureKeyCredential("k");\nexport const email = new EmailClient("https://contoso.communication.azure.com", credential);\n`],
  ["env", `ACS_CONNECTION_STRING=endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}\n`],
  ["json", `{ "acs": { "connectionString": "endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}" } }\n`],
  ["yaml", `acs:\n  connectionString: "endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}"\n`],
  ["md", `Configure: \`endpoint=https://contoso.communication.azure.com/;accesskey=${FAKE_KEY}\`\n`],
  ["cjs", `const { parseConnectionString } = require("@azure/communication-common");\nmodule.exports = parseConnectionString(process.env.CS);\n`],
];

function ordinaryJs(i) {
  const lines = [`import { readFile } from "node:fs/promises";`, `import { createHash } from "node:crypto";`, ""];
  for (let f = 0; f < 12; f++) {
    lines.push(
      `export async function handler${i}_${f}(path, options = {}) {`,
      `  const text = await readFile(path, "utf8");`,
      `  const digest = createHash("sha256").update(text + String(options.salt ?? ${f})).digest("hex");`,
      `  if (digest.startsWith("00")) { return { ok: false, reason: "unlucky", path }; }`,
      `  return { ok: true, digest, size: text.length, items: text.split("\\n").map((l) => l.trim()).filter(Boolean) };`,
      `}`,
      "",
    );
  }
  return lines.join("\n");
}

function ordinaryTs(i) {
  return ordinaryJs(i)
    .replace(/\(path, options = \{\}\)/g, "(path: string, options: { salt?: number } = {})")
    .replace(/\(l\)/g, "(l: string)");
}

export function generateScanTree(root, { files = 5000, seeds = 50 } = {}) {
  const seeded = [];
  const everyNth = Math.floor(files / seeds);
  for (let i = 0; i < files; i++) {
    const dir = join(root, `pkg${i % 50}`, `mod${i % 7}`);
    mkdirSync(dir, { recursive: true });
    if (i % everyNth === 0 && seeded.length < seeds) {
      const [ext, text] = SEEDS[seeded.length % SEEDS.length];
      const name = ext === "env" ? `.env.seed${i}` : `seed${i}.${ext}`;
      writeFileSync(join(dir, name), text);
      seeded.push(join(dir, name).slice(root.length + 1));
      continue;
    }
    const kind = i % 10;
    if (kind < 5) writeFileSync(join(dir, `file${i}.js`), ordinaryJs(i));
    else if (kind < 8) writeFileSync(join(dir, `file${i}.ts`), ordinaryTs(i));
    else if (kind === 8) writeFileSync(join(dir, `config${i}.json`), JSON.stringify({ name: `svc${i}`, port: 3000 + i, endpoints: ["https://example.com"] }, null, 2));
    else writeFileSync(join(dir, `notes${i}.md`), `# Notes ${i}\n\nNothing secret here; see https://example.com/docs.\n`);
  }
  mkdirSync(dirname(join(root, "x")), { recursive: true });
  return seeded;
}
