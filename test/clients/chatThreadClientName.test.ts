// `acs.client` names the SDK client class that sent the request: a ChatThreadClient's requests (sendMessage,
// listMessages) are recorded as ChatThreadClient, the ChatClient's own (createChatThread) as ChatClient. Upstream a
// thread client is built from the ChatClient's options (its audit policy names "ChatClient"); the factory builds each
// one through createClient instead. Real chat and identity clients against the emulator.
import { join } from "node:path";
import type { ChatClient } from "@azure/communication-chat";
import { ChatThreadClient } from "@azure/communication-chat";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
const dir = tempDir("acs-chat-thread-name-");

type Row = {
  event: { action: string; outcome: string };
  acs?: { client?: string };
  http?: { method: string; path: string };
};

describe("a ChatThreadClient's records", () => {
  it("name ChatThreadClient (client.create and each request); the ChatClient's stay ChatClient", async () => {
    const audit = join(dir, "audit.log");
    const factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app, { audit: { destination: audit } }));
    const alice = await factory.createIdentityClient().createUser();
    const chat = factory.createChatClient<ChatClient>(alice);
    const { chatThread } = await chat.createChatThread({ topic: "Names" });
    const threadId = chatThread?.id as string;
    const thread = chat.getChatThreadClient(threadId);
    expect(thread).toBeInstanceOf(ChatThreadClient);
    expect(thread.threadId).toBe(threadId);
    await thread.sendMessage({ content: "hello" });
    const texts: string[] = [];
    for await (const m of thread.listMessages()) if (m.type === "text") texts.push(m.content?.message ?? "");
    expect(texts).toEqual(["hello"]);
    await factory.close();
    // Clients already created keep working after close, thread clients handed out then too.
    expect(chat.getChatThreadClient(threadId)).toBeInstanceOf(ChatThreadClient);

    const rows = readJsonLines<Row>(audit);
    const requests = (method: string, path: RegExp) =>
      rows.filter((r) => r.event.action === "request" && r.http?.method === method && path.test(r.http.path));
    const created = requests("POST", /^\/chat\/threads$/);
    const sent = requests("POST", /^\/chat\/threads\/[^/]+\/messages$/);
    const listed = requests("GET", /^\/chat\/threads\/[^/]+\/messages$/);
    expect(created.length).toBeGreaterThan(0);
    expect(sent.length).toBeGreaterThan(0);
    expect(listed.length).toBeGreaterThan(0);
    for (const r of created) expect(r.acs?.client).toBe("ChatClient");
    for (const r of [...sent, ...listed]) expect(r.acs?.client).toBe("ChatThreadClient");
    const creates = rows.filter((r) => r.event.action === "client.create").map((r) => r.acs?.client);
    expect(creates).toEqual(expect.arrayContaining(["ChatClient", "ChatThreadClient"]));
  });
});
