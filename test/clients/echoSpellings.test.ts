// IM-8 for content a service echoes in forms the scrub must still recognise: Call Automation's SSML prompts and the
// Teams call details it passes on, and an SMS text written in the raw response body with common JSON escapes (PHP's
// `\/`, Gson's `\u003d`/`\u0026`, every character as `\uXXXX`), in a JSON body or a text/plain one. A fake ACS over
// TLS answers every request with 400 and the request's content echoed in the chosen spelling; real SDK clients from
// the factory, Entra from the emulator.
import { inspect } from "node:util";
import { CallAutomationClient } from "@azure/communication-call-automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import type { TlsFake } from "../support/tlsFake.js";
import { startTlsFake } from "../support/tlsFake.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
const SSML = `<speak version="1.0" xml:lang="en-US"><voice name="en-US-JennyNeural">Hello Jane, your account PIN is 482913 and your balance is overdue</voice></speak>`;
const CALL_CONTEXT = "Jane Roe called about her overdue balance; PIN 482913 confirmed";
const SMS = "Your one-time code is 839201 - see https://contoso.example/verify?u=jerry&c=839201 <b>now</b>";

const uEscaped = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
const php = (s: string) => JSON.stringify(s).slice(1, -1).replaceAll("/", "\\/");
const gson = (s: string) =>
  JSON.stringify(s)
    .slice(1, -1)
    .replace(/[<>&='+]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
/** How the fake writes the echoed SMS text into its raw body (and as which content type). */
const SPELLINGS: Record<string, [(s: string) => string, string]> = {
  php: [php, "application/json"],
  gson: [gson, "application/json"],
  unicode: [uEscaped, "application/json"],
  plainPhp: [php, "text/plain"],
  plainUnicode: [uEscaped, "text/plain"],
};
let spelling = "";
let acs: TlsFake;

beforeAll(async () => {
  acs = await startTlsFake((_req, body, res) => {
    const [escape, type] = SPELLINGS[spelling] ?? [undefined, "application/json"];
    res.writeHead(400, { "content-type": type });
    if (escape === undefined) {
      res.end(JSON.stringify({ error: { code: "8523", message: `Invalid request: ${body} could not be parsed` } }));
      return;
    }
    const message = (JSON.parse(body) as { message?: string }).message ?? "";
    const said = `message was ${escape(message)}`;
    res.end(type === "text/plain" ? `Bad request: ${said}` : `{"error":{"code":"BadRequest","message":"${said}"}}`);
  });
});
afterAll(() => acs?.close());

function hostileFactory(): AcsClientFactory {
  return new AcsClientFactory({
    ...emulatorFactoryOptions(env.emu, env.app),
    endpoint: acs.endpoint,
    clientOptions: { tlsOptions: { ca: [env.emu.caCertificatePem, acs.ca] }, retryOptions: { maxRetries: 0 } },
  });
}

/** Everything a caller or a log would show of `error`, JSON escapes undone (so an escaped echo shows as itself). */
function shown(error: unknown): string {
  const e = error as { details?: unknown; response?: { bodyAsText?: unknown; headers?: { toJSON(): unknown } } };
  const all = [
    String((error as Error).stack),
    inspect(error, { depth: 8, showHidden: true }),
    JSON.stringify(e.details ?? null),
    String(e.response?.bodyAsText),
    JSON.stringify(e.response?.headers?.toJSON() ?? null),
  ].join("\n");
  return all
    .replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/\\(["\\/])/g, "$1");
}
const failure = (pending: Promise<unknown>): Promise<unknown> =>
  pending.then(
    () => new Error("resolved"),
    (e: unknown) => e,
  );

describe("Call Automation prompts and call details echoed in a 400", () => {
  const target = { phoneNumber: "+14255550199" };
  const cases: [string, (client: CallAutomationClient) => Promise<unknown>][] = [
    ["playToAll with an SSML source", (c) => media(c).playToAll([{ kind: "ssmlSource", ssmlText: SSML }])],
    [
      "startRecognizing with an SSML prompt",
      (c) =>
        media(c).startRecognizing(target, {
          kind: "callMediaRecognizeDtmfOptions",
          maxTonesToCollect: 4,
          playPrompt: { kind: "ssmlSource", ssmlText: SSML },
        }),
    ],
    [
      "transferCallToParticipant with Teams call details",
      (c) =>
        c.getCallConnection("401f3500-62bd-46a9-8c09-9e1b06caca01").transferCallToParticipant(target, {
          customCallingContext: [
            { kind: "TeamsPhoneCallDetails", callContext: CALL_CONTEXT, suggestedActions: CALL_CONTEXT },
          ],
        }),
    ],
  ];
  const media = (c: CallAutomationClient) => c.getCallConnection("401f3500-62bd-46a9-8c09-9e1b06caca01").getCallMedia();

  it.each(cases)("%s: the error holds none of the prompt's or the details' text", async (_name, call) => {
    spelling = "";
    const factory = hostileFactory();
    try {
      const error = await failure(call(factory.createClient(CallAutomationClient)));
      expect(error).toMatchObject({ statusCode: 400 });
      const all = shown(error);
      expect(all).toContain("[REDACTED]");
      for (const secret of ["482913", "your account PIN", "overdue balance", "Jane Roe"])
        expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false });
    } finally {
      await factory.close();
    }
  });
});

describe("an SMS text echoed with JSON escapes in the raw body", () => {
  it.each(Object.keys(SPELLINGS))("%s: bodyAsText, message and details hold none of it", async (name) => {
    spelling = name;
    const factory = hostileFactory();
    try {
      const error = await failure(
        factory.createSmsClient().send({ from: "+18005550100", to: ["+14255550199"], message: SMS }),
      );
      expect(error).toMatchObject({ statusCode: 400 });
      const all = shown(error);
      expect(all).toContain("message was [REDACTED]");
      for (const secret of ["839201", "one-time code", "contoso.example/verify", "<b>now"])
        expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false });
    } finally {
      await factory.close();
    }
  });
});
