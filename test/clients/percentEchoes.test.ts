// IM-8 for what a service echoes percent-encoded: a service, proxy or hostile fake that quotes the request in a URL
// or a form inside its error (`?message=Hello%20world%21`, `+` for a space, every byte as `%XX` in either case, encoded
// twice over) must not put the message text, the email's subject and body, or the Bearer token into the caller's
// error. A fake ACS over TLS answers every request with 400 and the request's content and Authorization header echoed
// in the chosen spelling, in the JSON body, a text/plain body and a header; real SDK clients from the factory, Entra
// from the emulator.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { EmailClient } from "@azure/communication-email";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import type { TlsFake } from "../support/tlsFake.js";
import { startTlsFake } from "../support/tlsFake.js";
import { useEmulator } from "../support/useEmulator.js";
import { decodedAll } from "../support/percentDecoding.js";

const env = useEmulator();
const dir = tempDir("acs-pct-echo-");
const TEXT = "Tom & Jerry's one-time code is 839201 — keep it (Zürich) 😀";
/** An access key the fake lets slip, as a misconfigured gateway might: only the scrubber's key shapes can catch it. */
const KEY =
  "Lq8s0Zk3+Vd/2xYfT9mWb1Rc7nHj4Ue6Gp5Aa0Ss3Dd/Ff2Gg1Hh8Jj7Kk6Ll5Zz4Xx3Cc2Vv1Bb0Nn9Mm8Qq7Ww6Ee5Rr4Tt3Yy2Uu1Ii==";

const upper = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
/** Every UTF-8 byte as `%XX`, upper- and lower-case hex in turn. */
const everyByte = (s: string) =>
  [...new TextEncoder().encode(s)]
    .map((b) => `%${b.toString(16).padStart(2, "0")}`)
    .map((e, i) => (i % 2 === 0 ? e.toUpperCase() : e))
    .join("");
/** How the fake percent-encodes what it echoes. */
const SPELLINGS: Record<string, (s: string) => string> = {
  uri: upper,
  lowerHex: (s) => upper(s).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  form: (s) => new URLSearchParams({ v: s }).toString().slice(2),
  everyByte,
  twice: (s) => encodeURIComponent(upper(s)),
};
let spelling = "uri";
let acs: TlsFake;
const tokens: string[] = [];

beforeAll(async () => {
  acs = await startTlsFake((req, body, res) => {
    const encode = SPELLINGS[spelling] ?? upper;
    const auth = String(req.headers.authorization ?? "");
    tokens.push(auth.slice("Bearer ".length));
    let content: string[] = [];
    try {
      const parsed = JSON.parse(body) as { message?: string; content?: { subject?: string; plainText?: string } };
      content = [parsed.message, parsed.content?.subject, parsed.content?.plainText].filter((v) => v !== undefined);
    } catch {
      // not JSON: nothing to quote
    }
    const query = content.map((c) => `message=${encode(c)}`).join("&");
    const said = `rejected https://gw.contoso.example/relay?${query}&auth=${encode(auth)}&cs=${encode(`accesskey=${KEY}`)}`;
    const plain = req.url?.startsWith("/emails") === true;
    res.writeHead(400, {
      "content-type": plain ? "text/plain" : "application/json",
      "x-ms-error-code": `auth=${encode(auth)}`,
    });
    res.end(plain ? said : JSON.stringify({ error: { code: "BadRequest", message: said, target: query } }));
  });
});
afterAll(() => acs?.close());

function hostileFactory(file: string): AcsClientFactory {
  return new AcsClientFactory({
    ...emulatorFactoryOptions(env.emu, env.app),
    endpoint: acs.endpoint,
    clientOptions: { tlsOptions: { ca: [env.emu.caCertificatePem, acs.ca] }, retryOptions: { maxRetries: 0 } },
    audit: { destination: file },
  });
}

/** Everything a caller or a log would show of `error`, as written and percent-decoded (with `+` as `+` and as space). */
function shown(error: unknown): string {
  const e = error as { details?: unknown; request?: { url?: unknown }; response?: { bodyAsText?: unknown } };
  const all = [
    String((error as Error).stack),
    inspect(error, { depth: 8, showHidden: true }),
    JSON.stringify(e.details ?? null),
    String(e.response?.bodyAsText),
    JSON.stringify((e.response as { headers?: { toJSON(): unknown } } | undefined)?.headers?.toJSON() ?? null),
  ].join("\n");
  return [all, decodedAll(all, false), decodedAll(all, true)].join("\n");
}
/** Every 10-character piece of `secret`, every 5 characters: none may show, not just its start and end. */
const pieces = (secret: string): string[] =>
  Array.from({ length: Math.floor((secret.length - 10) / 5) + 1 }, (_, i) => secret.slice(i * 5, i * 5 + 10));
const failure = (pending: Promise<unknown>): Promise<unknown> =>
  pending.then(
    () => new Error("resolved"),
    (e: unknown) => e,
  );

describe("content and tokens echoed percent-encoded in a 400", () => {
  const calls: [string, (factory: AcsClientFactory) => Promise<unknown>][] = [
    ["SmsClient.send", (f) => f.createSmsClient().send({ from: "+18005550100", to: ["+14255550199"], message: TEXT })],
    [
      "EmailClient.beginSend (text/plain error)",
      (f) =>
        f
          .createClient(EmailClient)
          .beginSend({
            senderAddress: "noreply@contoso.example",
            content: { subject: TEXT, plainText: TEXT },
            recipients: { to: [{ address: "someone@contoso.example" }] },
          })
          .then((poller) => poller.pollUntilDone()),
    ],
  ];
  const cases = Object.keys(SPELLINGS).flatMap((name) => calls.map(([call, run]) => [name, call, run] as const));

  it.each(cases)("%s, %s: the error and the audit log hold none of it", async (name, call, run) => {
    spelling = name;
    const file = join(dir, `${name}-${call.split(".")[0]}.log`);
    const factory = hostileFactory(file);
    let error: unknown;
    try {
      error = await failure(run(factory));
    } finally {
      await factory.close();
    }
    expect(error).toMatchObject({ statusCode: 400 });
    const token = tokens.at(-1) ?? "";
    expect(token.length).toBeGreaterThan(20);
    const all = shown(error);
    expect(all).toContain("[REDACTED]");
    const secrets = [TEXT, TEXT.slice(0, 12), "839201", "Jerry", "Zürich", ...pieces(token), ...pieces(KEY)];
    for (const secret of secrets) expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false });
    const log = readFileSync(file, "utf8");
    for (const secret of secrets)
      expect({ secret, found: decodedAll(log, true).includes(secret) }).toEqual({ secret, found: false });
  });
});
