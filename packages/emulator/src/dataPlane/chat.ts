/**
 * Chat (`@azure/communication-chat`, api-version 2025-03-15), authenticated by user access tokens (see userToken.ts):
 * create, get, update the topic of, delete and list threads; send, get and list messages; add, list and remove
 * participants. The thread's creator becomes a participant; only participants see a thread. Adding and removing
 * participants writes the system messages the service writes. Realtime notifications, read receipts, typing
 * indicators and editing messages are not emulated.
 */
import { randomBytes } from "node:crypto";
import type { DataPlaneRequest, Reply, Route } from "./route.js";
import { MAX_ITEMS, objectOf, problem, reply, textOf } from "./route.js";

interface Participant {
  displayName?: string;
  shareHistoryTime?: string;
}

interface Message {
  id: string;
  type: "text" | "html" | "participantAdded" | "participantRemoved" | "topicUpdated";
  sequenceId: string;
  version: string;
  createdOn: string;
  sender?: string;
  senderDisplayName?: string;
  content: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** A chat thread the emulator keeps. */
export interface EmulatedThread {
  id: string;
  topic: string;
  createdOn: string;
  createdBy: string;
  deletedOn?: string;
  participants: Map<string, Participant>;
  messages: Message[];
}

/** The chat threads of one emulator. */
export type ChatStore = Map<string, EmulatedThread>;

const MAX_MESSAGE_CHARS = 28 * 1024;
const MAX_PARTICIPANTS = 250;

/** The identifier model the service returns for a raw ID. */
function identifierModel(rawId: string): Record<string, unknown> {
  return rawId.startsWith("8:acs:") ? { rawId, communicationUser: { id: rawId } } : { rawId };
}

function rawIdOf(model: unknown): string | undefined {
  const m = objectOf(model);
  return textOf(objectOf(m?.communicationUser)?.id, 256) ?? textOf(m?.rawId, 256);
}

function participantJson(rawId: string, p: Participant): Record<string, unknown> {
  return { communicationIdentifier: identifierModel(rawId), ...p };
}

function messageJson(m: Message): Record<string, unknown> {
  return {
    id: m.id,
    type: m.type,
    sequenceId: m.sequenceId,
    version: m.version,
    content: m.content,
    createdOn: m.createdOn,
    ...(m.senderDisplayName !== undefined ? { senderDisplayName: m.senderDisplayName } : {}),
    ...(m.sender !== undefined ? { senderCommunicationIdentifier: identifierModel(m.sender) } : {}),
    ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
  };
}

function threadJson(t: EmulatedThread): Record<string, unknown> {
  return {
    id: t.id,
    topic: t.topic,
    createdOn: t.createdOn,
    createdByCommunicationIdentifier: identifierModel(t.createdBy),
    ...(t.deletedOn !== undefined ? { deletedOn: t.deletedOn } : {}),
  };
}

let lastMessageId = 0;
function addMessage(
  thread: EmulatedThread,
  message: Omit<Message, "id" | "sequenceId" | "version" | "createdOn">,
): Message | undefined {
  if (thread.messages.length >= MAX_ITEMS) return undefined;
  lastMessageId = Math.max(lastMessageId + 1, Date.now());
  const id = String(lastMessageId);
  const full: Message = {
    ...message,
    id,
    sequenceId: String(thread.messages.length + 1),
    version: id,
    createdOn: new Date().toISOString(),
  };
  thread.messages.push(full);
  return full;
}

/** Parses `[{ communicationIdentifier, displayName?, shareHistoryTime? }]`; a string is the error message. */
function parseParticipants(value: unknown): Map<string, Participant> | string {
  if (value === undefined) return new Map();
  if (!Array.isArray(value) || value.length > MAX_PARTICIPANTS)
    return `participants must be an array of at most ${MAX_PARTICIPANTS}.`;
  const out = new Map<string, Participant>();
  for (const entry of value) {
    const e = objectOf(entry);
    const rawId = rawIdOf(e?.communicationIdentifier);
    if (rawId === undefined || !rawId.startsWith("8:"))
      return "Each participant needs a communicationIdentifier of a Communication Services user.";
    const displayName = textOf(e?.displayName, 256);
    const shareHistoryTime = typeof e?.shareHistoryTime === "string" ? e.shareHistoryTime : undefined;
    out.set(rawId, {
      ...(displayName !== undefined ? { displayName } : {}),
      ...(shareHistoryTime !== undefined ? { shareHistoryTime } : {}),
    });
  }
  return out;
}

function addParticipants(
  thread: EmulatedThread,
  added: Map<string, Participant>,
  initiator: string,
): string | undefined {
  if (thread.participants.size + added.size > MAX_PARTICIPANTS)
    return `A thread has at most ${MAX_PARTICIPANTS} participants.`;
  for (const [rawId, p] of added) thread.participants.set(rawId, p);
  if (added.size > 0) {
    const participants = [...added].map(([rawId, p]) => participantJson(rawId, p));
    addMessage(thread, {
      type: "participantAdded",
      content: { participants, initiatorCommunicationIdentifier: identifierModel(initiator) },
    });
  }
  return undefined;
}

function createThread(threads: ChatStore, request: DataPlaneRequest): Reply {
  const topic = textOf(request.body.topic, 256);
  if (topic === undefined) return problem(400, "InvalidTopic", "topic is required (at most 256 characters).");
  const participants = parseParticipants(request.body.participants);
  if (typeof participants === "string") return problem(400, "InvalidParticipants", participants);
  if (threads.size >= MAX_ITEMS) return problem(429, "TooManyThreads", "The emulator keeps at most 10000 threads.");
  const thread: EmulatedThread = {
    id: `19:${randomBytes(16).toString("hex")}@thread.v2`,
    topic,
    createdOn: new Date().toISOString(),
    createdBy: request.caller,
    participants: new Map([[request.caller, {}]]),
    messages: [],
  };
  participants.delete(request.caller);
  const invalid = addParticipants(thread, participants, request.caller);
  if (invalid !== undefined) return problem(400, "InvalidParticipants", invalid);
  threads.set(thread.id, thread);
  return reply(201, { chatThread: threadJson(thread) });
}

/** Runs `then` for a thread the caller takes part in; 404 for an unknown or deleted thread, 403 for a stranger. */
function inThread(
  threads: ChatStore,
  request: DataPlaneRequest,
  id: string | undefined,
  then: (t: EmulatedThread) => Reply,
): Reply {
  const thread = threads.get(id ?? "");
  if (thread === undefined || thread.deletedOn !== undefined)
    return problem(404, "ThreadNotFound", "The chat thread does not exist.");
  if (!thread.participants.has(request.caller))
    return problem(403, "Forbidden", "The user is not a participant of the chat thread.");
  return then(thread);
}

function sendMessage(thread: EmulatedThread, request: DataPlaneRequest): Reply {
  const content = request.body.content;
  if (typeof content !== "string" || content.length > MAX_MESSAGE_CHARS)
    return problem(400, "InvalidMessage", "content is required (at most 28 KB).");
  const type = request.body.type ?? "text";
  if (type !== "text" && type !== "html") return problem(400, "InvalidMessageType", "type must be text or html.");
  const displayName =
    textOf(request.body.senderDisplayName, 256) ?? thread.participants.get(request.caller)?.displayName;
  const metadata = objectOf(request.body.metadata);
  const message = addMessage(thread, {
    type,
    sender: request.caller,
    content: { message: content },
    ...(displayName !== undefined ? { senderDisplayName: displayName } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
  });
  return message === undefined
    ? problem(429, "TooManyMessages", "The thread is full.")
    : reply(201, { id: message.id });
}

function listMessages(thread: EmulatedThread, request: DataPlaneRequest): Reply {
  const start = Date.parse(request.query.get("startTime") ?? "");
  const messages = [...thread.messages]
    .reverse()
    .filter((m) => !Number.isFinite(start) || Date.parse(m.createdOn) >= start);
  return reply(200, { value: messages.map(messageJson) });
}

function removeParticipant(thread: EmulatedThread, request: DataPlaneRequest): Reply {
  const rawId = rawIdOf(request.body);
  if (rawId === undefined)
    return problem(400, "InvalidParticipant", "The body must be the participant's communication identifier.");
  if (thread.participants.delete(rawId)) {
    addMessage(thread, {
      type: "participantRemoved",
      content: {
        participants: [participantJson(rawId, {})],
        initiatorCommunicationIdentifier: identifierModel(request.caller),
      },
    });
  }
  return reply(204);
}

/** The Chat route table over one store (the caller is the user of the verified user token). */
export function chatRoutes(threads: ChatStore): Route[] {
  const one = /^\/chat\/threads\/([^/]+)$/;
  const messages = /^\/chat\/threads\/([^/]+)\/messages$/;
  const at =
    (handle: (t: EmulatedThread, r: DataPlaneRequest, rest: readonly string[]) => Reply) =>
    (r: DataPlaneRequest, [id, ...rest]: readonly string[]) =>
      inThread(threads, r, id, (t) => handle(t, r, rest));
  return [
    { method: "POST", path: /^\/chat\/threads$/, handle: (r) => createThread(threads, r) },
    {
      method: "GET",
      path: /^\/chat\/threads$/,
      handle: (r) => {
        const mine = [...threads.values()].filter((t) => t.deletedOn === undefined && t.participants.has(r.caller));
        const item = (t: EmulatedThread) => ({
          id: t.id,
          topic: t.topic,
          lastMessageReceivedOn: t.messages.at(-1)?.createdOn ?? t.createdOn,
        });
        return reply(200, { value: mine.map(item) });
      },
    },
    { method: "GET", path: one, handle: at((t) => reply(200, threadJson(t))) },
    {
      method: "PATCH",
      path: one,
      handle: at((t, r) => {
        const topic = textOf(r.body.topic, 256);
        if (topic === undefined) return problem(400, "InvalidTopic", "topic is required (at most 256 characters).");
        t.topic = topic;
        addMessage(t, {
          type: "topicUpdated",
          content: { topic, initiatorCommunicationIdentifier: identifierModel(r.caller) },
        });
        return reply(204);
      }),
    },
    { method: "DELETE", path: one, handle: at((t) => ((t.deletedOn = new Date().toISOString()), reply(204))) },
    { method: "POST", path: messages, handle: at(sendMessage) },
    { method: "GET", path: messages, handle: at(listMessages) },
    {
      method: "GET",
      path: /^\/chat\/threads\/([^/]+)\/messages\/([^/]+)$/,
      handle: at((t, _r, [messageId]) => {
        const m = t.messages.find((x) => x.id === messageId);
        return m === undefined
          ? problem(404, "MessageNotFound", "The message does not exist.")
          : reply(200, messageJson(m));
      }),
    },
    {
      method: "GET",
      path: /^\/chat\/threads\/([^/]+)\/participants$/,
      handle: at((t) => reply(200, { value: [...t.participants].map(([rawId, p]) => participantJson(rawId, p)) })),
    },
    {
      method: "POST",
      path: /^\/chat\/threads\/([^/]+)\/participants\/:add$/,
      handle: at((t, r) => {
        const added = parseParticipants(r.body.participants);
        if (typeof added === "string" || added.size === 0)
          return problem(
            400,
            "InvalidParticipants",
            typeof added === "string" ? added : "participants must not be empty.",
          );
        const invalid = addParticipants(t, added, r.caller);
        return invalid === undefined ? reply(201, {}) : problem(400, "InvalidParticipants", invalid);
      }),
    },
    { method: "POST", path: /^\/chat\/threads\/([^/]+)\/participants\/:remove$/, handle: at(removeParticipant) },
  ];
}
