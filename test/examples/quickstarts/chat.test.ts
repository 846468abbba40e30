// Scenario of Microsoft's Chat quickstart, run keyless against the emulator.
// Provenance: Azure-Samples/communication-services-javascript-quickstarts, add-chat/client.js,
// commit 7c675617c43d33139d02be248e82d7ac66614106. The steps, order and inputs follow the sample; the code is written
// here. Changed: the ChatClient comes from factory.createChatClient<ChatClient>(user) instead of a hand-pasted user access token;
// the participants are users created by the identity client instead of hard-coded IDs; the realtime-notification step
// (startRealtimeNotifications) is left out, as the emulator does not emulate notifications (docs/emulator.md).
import type { ChatClient } from "@azure/communication-chat";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { startEmulatorWithFactory } from "../../../packages/emulator/src/index.js";

it("chat quickstart: thread, thread client, list threads, send and list messages, add, list and remove participants", async () => {
  await using acs = await startEmulatorWithFactory(AcsClientFactory);
  const identity = acs.factory.createClient(CommunicationIdentityClient);
  const [jack, corey, jane] = await Promise.all([identity.createUser(), identity.createUser(), identity.createUser()]);
  const chatClient = acs.factory.createChatClient<ChatClient>(jack);

  const createChatThreadResult = await chatClient.createChatThread(
    { topic: "Calling Application" },
    { participants: [{ id: corey, displayName: "Corey" }] },
  );
  const threadId = createChatThreadResult.chatThread?.id as string;
  const chatThreadClient = chatClient.getChatThreadClient(threadId);

  const threads: string[] = [];
  for await (const thread of chatClient.listChatThreads()) threads.push(thread.id);
  expect(threads).toEqual([threadId]);

  const { id: messageId } = await chatThreadClient.sendMessage(
    { content: "Hello Geeta! Can you share the deck for the conference?" },
    { senderDisplayName: "Jack", type: "text" },
  );
  const messageIds: string[] = [];
  for await (const message of chatThreadClient.listMessages()) messageIds.push(message.id);
  expect(messageIds[0]).toBe(messageId);

  await chatThreadClient.addParticipants({ participants: [{ id: jane, displayName: "Jane" }] });
  const ids = async () => {
    const out: string[] = [];
    for await (const participant of chatThreadClient.listParticipants())
      out.push((participant.id as { communicationUserId: string }).communicationUserId);
    return out.sort();
  };
  expect(await ids()).toEqual([jack, corey, jane].map((u) => u.communicationUserId).sort());
  await chatThreadClient.removeParticipant(jane);
  expect(await ids()).toEqual([jack, corey].map((u) => u.communicationUserId).sort());
});
