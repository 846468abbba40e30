// The chat user token is a bearer credential that speaks for the user (up to 24 hours). A careless developer logs
// the chat client: console.log (util.inspect) or a pino logger's serialisation of `{ chat }`. Upstream, the ChatClient
// and each ChatThreadClient keep their credential as a plain property and AzureCommunicationTokenCredential keeps the
// current token in `currentToken.token`, so every one of those printed it. Through the factory, none may.
import { inspect } from "node:util";
import { Writable } from "node:stream";
import type { ChatClient } from "@azure/communication-chat";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
let factory: AcsClientFactory;
beforeAll(() => {
  factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
});
afterAll(async () => {
  await factory.close();
});

/** Every JSON Web Token in `text` (the emulator's user tokens are JWTs, as Azure's are). */
const jwts = (text: string): string[] => text.match(/eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g) ?? [];

/** What a pino logger writes for `{ [name]: value }`. */
function pinoLine(name: string, value: unknown): string {
  let out = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString("utf8");
      done();
    },
  });
  pino({}, sink).info({ [name]: value }, "logged");
  return out;
}

describe("the chat user token never shows through the client objects", () => {
  it("util.inspect (console.log) and pino of the ChatClient and a ChatThreadClient, after a token was minted and used", async () => {
    const identity = factory.createIdentityClient();
    const alice = await identity.createUser();
    // the control: a user token is a JWT, so the pattern below would see one
    expect(jwts((await identity.getToken(alice, ["chat"])).token)).toHaveLength(1);
    const chat = factory.createChatClient<ChatClient>(alice);
    const { chatThread } = await chat.createChatThread({ topic: "logged" });
    const thread = chat.getChatThreadClient(chatThread?.id as string);
    await thread.sendMessage({ content: "hello" });
    // the client still works with its sealed credential
    const first: string[] = [];
    for await (const m of thread.listMessages()) first.push(m.type);
    expect(first).toContain("text");
    for (const [name, client] of [
      ["chat", chat],
      ["thread", thread],
    ] as const) {
      const shown = [
        inspect(client, { depth: Infinity, showHidden: true, getters: true }),
        inspect(client),
        pinoLine(name, client),
      ];
      for (const text of shown) expect(jwts(text), `${name}: ${text.slice(0, 200)}`).toEqual([]);
    }
  });
});
