// Chat end to end, keyless: the factory's Entra-authenticated identity client mints the user's chat token, the
// ChatClient (built through createClient, so guarded and audited) creates a thread, sends and lists messages and
// manages participants; the token is minted again after it expires; no audit record holds a token.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatClient, ChatThreadClient } from "@azure/communication-chat";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory, isBaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
let dir: string;
let auditFile: string;
let factory: AcsClientFactory;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acs-chat-"));
  auditFile = join(dir, "audit.log");
  factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app, { audit: { destination: auditFile } }));
});
afterAll(async () => {
  await factory.close();
  rmSync(dir, { recursive: true, force: true });
});

const records = () =>
  readFileSync(auditFile, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map(
      (l) =>
        JSON.parse(l) as {
          event: { action: string; outcome: string };
          acs?: { client?: string };
          token?: { scope?: string; expiresOn?: string };
          http?: { path: string };
        },
    );

describe("createChatClient", () => {
  it("mints a token, creates a thread, sends and lists messages, manages participants and lists threads", async () => {
    const identity = factory.createIdentityClient();
    const alice = await identity.createUser();
    const bob = await identity.createUser();
    const chat = factory.createChatClient<ChatClient>(alice);
    expect(chat).toBeInstanceOf(ChatClient);
    const { chatThread } = await chat.createChatThread(
      { topic: "Keyless" },
      { participants: [{ id: bob, displayName: "Bob" }] },
    );
    const threadId = chatThread?.id as string;
    expect(threadId).toMatch(/^19:.+@thread\.v2$/);
    const thread = chat.getChatThreadClient(threadId);
    expect(thread).toBeInstanceOf(ChatThreadClient);
    const { id: messageId } = await thread.sendMessage({ content: "hello" }, { senderDisplayName: "Alice" });
    const texts: string[] = [];
    for await (const m of thread.listMessages()) if (m.type === "text") texts.push(m.content?.message ?? "");
    expect(texts).toEqual(["hello"]);
    expect((await thread.getMessage(messageId)).sender).toMatchObject(alice);

    const carol = await identity.createUser();
    await thread.addParticipants({ participants: [{ id: carol, displayName: "Carol" }] });
    const names = async () => {
      const out: string[] = [];
      for await (const p of thread.listParticipants())
        out.push((p.id as { communicationUserId: string }).communicationUserId);
      return out.sort();
    };
    expect(await names()).toEqual([alice, bob, carol].map((u) => u.communicationUserId).sort());
    await thread.removeParticipant(carol);
    expect(await names()).toEqual([alice, bob].map((u) => u.communicationUserId).sort());

    const threads: string[] = [];
    for await (const t of factory.createChatClient<ChatClient>(bob).listChatThreads()) threads.push(t.id);
    expect(threads).toContain(threadId);
    // Carol was removed: the thread is no longer hers.
    await expect(
      factory.createChatClient<ChatClient>(carol).getChatThreadClient(threadId).getProperties(),
    ).rejects.toMatchObject({
      statusCode: 403,
    });

    // The thread client's requests went through the audited pipeline too, recorded under its own class.
    await new Promise((r) => setTimeout(r, 100)); // request records are written in batches after the I/O callback
    const chatRequests = records().filter((r) => r.event.action === "request" && r.acs?.client === "ChatThreadClient");
    expect(chatRequests.some((r) => r.http?.path.includes("/participants"))).toBe(true);
  });

  it("mints the token again after it expires, and no audit record holds a token", async () => {
    const identity = factory.createIdentityClient();
    const user = await identity.createUser();
    env.emu.acs.setUserTokenLifetime(2);
    try {
      const chat = factory.createChatClient<ChatClient>(user);
      const { chatThread } = await chat.createChatThread({ topic: "Refresh" });
      const refusedBefore = env.emu.stats.expiredTokensRefused;
      await new Promise((r) => setTimeout(r, 2500));
      await chat.getChatThreadClient(chatThread?.id as string).sendMessage({ content: "after expiry" });
      // The credential saw the expiry itself: no request went out with the expired token.
      expect(env.emu.stats.expiredTokensRefused).toBe(refusedBefore);
    } finally {
      env.emu.acs.setUserTokenLifetime(undefined);
    }
    const minted = records().filter((r) => r.event.action.startsWith("user-token."));
    expect(minted.map((r) => r.event.action)).toContain("user-token.refresh");
    expect(
      minted.every(
        (r) => r.event.outcome === "success" && r.token?.scope === "chat" && typeof r.token.expiresOn === "string",
      ),
    ).toBe(true);
    const log = readFileSync(auditFile, "utf8");
    expect(log).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  });

  it("refuses createClient(ChatClient) and createClient(ChatThreadClient) at once, audited", () => {
    for (const C of [ChatClient, ChatThreadClient]) {
      let caught: unknown;
      try {
        factory.createClient(C as never);
      } catch (error) {
        caught = error;
      }
      expect(isBaselineViolationError(caught)).toBe(true);
      expect(caught).toMatchObject({ code: "USE_CREATE_CHAT_CLIENT", control: "IM-1" });
      expect(String((caught as Error).message)).toContain("createChatClient");
    }
    expect(records().filter((r) => r.event.action === "refuse").length).toBeGreaterThanOrEqual(2);
  });

  it("applies createClient's rules to the chat options, and refuses a ChatClient subclass or a look-alike class", () => {
    const user = "8:acs:emulator_user";
    const httpClient = { sendRequest: () => Promise.reject(new Error("never")) };
    expect(() => factory.createChatClient<ChatClient>(user, { httpClient })).toThrow(
      expect.objectContaining({ code: "CUSTOM_TRANSPORT_REFUSED" }),
    );
    expect(() =>
      factory.createChatClient<ChatClient>(user, { tlsOptions: { rejectUnauthorized: false } } as never),
    ).toThrow(expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED" }));
    const leaked = `endpoint=${env.emu.endpoint}/;accesskey=${Buffer.alloc(64, 1).toString("base64")}`;
    expect(() => factory.createChatClient<ChatClient>(user, { userAgentOptions: { userAgentPrefix: leaked } })).toThrow(
      expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }),
    );
    class MyChat extends ChatClient {}
    // A look-alike: a class named ChatClient that is not the SDK's (a wrapper that would take the Entra credential).
    const LookAlike = { ChatClient: class {} }.ChatClient;
    Object.defineProperty(LookAlike, "name", { value: "ChatClient" });
    for (const C of [MyChat, LookAlike])
      expect(() => factory.createClient(C as never)).toThrow(
        expect.objectContaining({ code: "USE_CREATE_CHAT_CLIENT" }),
      );
  });

  it("refuses a user that is not a Communication Services user and an out-of-range token lifetime", () => {
    expect(() => factory.createChatClient({ communicationUserId: "alice" })).toThrow(TypeError);
    expect(() => factory.createChatClient<ChatClient>("4:+14255550123")).toThrow(TypeError);
    expect(() => factory.createChatClient<ChatClient>("8:acs:x_y", { tokenExpiresInMinutes: 30 })).toThrow(RangeError);
  });

  it("refuses a user id that holds a connection string (it would go into the token request's URL): CONNECTION_STRING_REFUSED, nothing sent", () => {
    const before = env.emu.stats.acsRequests;
    const key = Buffer.alloc(64, 7).toString("base64").replace(/^.{8}/, "Ab3dE9xQ");
    for (const user of [
      `8:acs:endpoint=https://x.communication.azure.com/;accesskey=${key}`,
      { communicationUserId: `8:acs:x_endpoint%3Dhttps://x.communication.azure.com/%3Baccesskey%3D${key}` },
    ]) {
      let error: unknown;
      try {
        factory.createChatClient<ChatClient>(user);
      } catch (e) {
        error = e;
      }
      expect(isBaselineViolationError(error) && error.code).toBe("CONNECTION_STRING_REFUSED");
      expect(String((error as Error).message)).not.toContain(key.slice(0, 20));
    }
    expect(() => factory.createChatClient<ChatClient>("8:acs:x;y")).toThrow(TypeError);
    expect(env.emu.stats.acsRequests).toBe(before);
  });

  it("takes any user value without sending anything: a client for 8:… IDs, a TypeError for everything else", () => {
    const before = env.emu.stats.acsRequests;
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.record({ communicationUserId: fc.anything() }), fc.anything()), (user) => {
        const id =
          typeof user === "string" ? user : (user as { communicationUserId?: unknown } | null)?.communicationUserId;
        const valid = typeof id === "string" && /^8:[a-z0-9-]+:[\w.:@-]{1,256}$/i.test(id) && id.length <= 300;
        if (valid) expect(factory.createChatClient<ChatClient>(user as string)).toBeInstanceOf(ChatClient);
        else expect(() => factory.createChatClient<ChatClient>(user as string)).toThrow(TypeError);
      }),
      { numRuns: 300 },
    );
    expect(env.emu.stats.acsRequests).toBe(before);
  });

  it("records a failed mint without a token, and the chat call fails", async () => {
    const chat = factory.createChatClient<ChatClient>("8:acs:unknown_user");
    await expect(chat.createChatThread({ topic: "x" })).rejects.toBeDefined();
    const failed = records().filter((r) => r.event.action === "user-token.issue" && r.event.outcome === "failure");
    expect(failed.length).toBeGreaterThan(0);
  });
});
