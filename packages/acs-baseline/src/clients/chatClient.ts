/**
 * Chat through the factory. Chat authenticates with a Communication Services user access token, not an Entra token:
 * the factory's Entra-authenticated identity client mints the user's token (scope `chat`) and mints it again whenever
 * it has expired (an `AzureCommunicationTokenCredential` with a token refresher). The ChatClient is built through
 * `createClient`, and so is every ChatThreadClient it hands out (as a `ChatThreadClient`, the name its records carry),
 * so their pipelines carry the request guard and the audit policies. Minting and refreshing are audited (`user-token.issue`,
 * `user-token.refresh`) with the token's expiry and scope, never the token.
 */
import { createRequire } from "node:module";
import type { CommonClientOptions } from "@azure/core-client";
import type { AzureCommunicationTokenCredential } from "@azure/communication-common";
import type { CommunicationIdentityClient } from "@azure/communication-identity";
import type { AuditEventInput } from "../audit/record/events.js";
import { BaselineViolationError } from "../errors.js";
import { assertNoConnectionString } from "../guard/optionStrings.js";
import type { AcsClientConstructor } from "./clientConstructor.js";
import { nodeRequire, resolveImport } from "../nodeRequire.js";

/** The package `createChatClient` loads (an optional peer dependency). @public */
export const CHAT_PACKAGE = "@azure/communication-chat";

/**
 * Options of `AcsClientFactory.createChatClient`: the ChatClient's own options (retry, proxy, additional policies)
 * plus the lifetime of the user tokens it mints.
 * @public
 */
export interface CreateChatClientOptions extends CommonClientOptions {
  /** Lifetime of each minted user token in minutes, 60–1440 (the service's range). Default: the service's 24 hours. */
  tokenExpiresInMinutes?: number;
}

/**
 * What `createChatClient` returns when no type is given. `@azure/communication-chat` is an optional peer, so the
 * public types never name it (an app without it still compiles); the object is the package's own `ChatClient`:
 * `factory.createChatClient<ChatClient>(user)` gives its type.
 * @public
 */
export interface ChatClientLike {
  createChatThread(request: { topic: string }, options?: object): Promise<unknown>;
  getChatThreadClient(threadId: string): unknown;
  listChatThreads(options?: object): AsyncIterable<unknown>;
  deleteChatThread(threadId: string, options?: object): Promise<unknown>;
}

/** A Communication Services user: its identifier (`{ communicationUserId }`) or its raw ID `8:acs:…`. @public */
export type ChatUser = { communicationUserId: string } | string;

/** What `createChatClient` takes from the factory that calls it. */
export interface ChatClientFactoryParts {
  /** An identity client of the factory (Entra-authenticated, guarded, audited). */
  createIdentityClient(): CommunicationIdentityClient;
  /** The factory's `createClient`: installs the guard and the audit policies and checks they are installed. */
  createClient<TClient, TOptions extends object>(
    ClientClass: AcsClientConstructor<TClient, TOptions>,
    options?: TOptions,
  ): TClient;
  /** Writes one audit record. */
  record(event: AuditEventInput): void;
  /** Whether the factory is closed (its `createClient` then throws). */
  isClosed(): boolean;
}

type ChatModule = {
  ChatClient: new (endpoint: string, credential: unknown, options?: object) => ChatClientLike;
  ChatThreadClient: new (endpoint: string, threadId: string, credential: unknown, options?: object) => unknown;
};
type CommonModule = {
  AzureCommunicationTokenCredential: new (options: {
    tokenRefresher: (abortSignal?: AbortSignal) => Promise<string>;
    refreshProactively?: boolean;
  }) => AzureCommunicationTokenCredential;
};

/** Loads the chat package (the same module an application imports) and the communication-common copy it uses. */
function loadChat(): { chat: ChatModule; common: CommonModule } {
  let entry: string;
  try {
    entry = resolveImport(CHAT_PACKAGE);
  } catch {
    throw new Error(
      `createChatClient needs the optional peer dependency ${CHAT_PACKAGE}, which is not installed. Install it: npm install ${CHAT_PACKAGE}`,
    );
  }
  let chat: ChatModule;
  try {
    chat = nodeRequire(entry) as ChatModule;
  } catch {
    // A Node.js without require(esm): the package's CommonJS build (the same API, another module instance).
    entry = nodeRequire.resolve(CHAT_PACKAGE);
    chat = nodeRequire(entry) as ChatModule;
  }
  // The credential class from the communication-common next to the chat package (ChatClient duck-types it).
  const fromChat = createRequire(entry);
  return { chat, common: fromChat("@azure/communication-common") as CommonModule };
}

const MARK = new WeakSet<object>();

/**
 * Refuses `createClient(ChatClient)` and `createClient(ChatThreadClient)`: their constructors take a user token
 * credential, not the factory's Entra credential, so the factory would hand out a client that fails at its first
 * call. `createChatClient` is the path.
 * @throws BaselineViolationError USE_CREATE_CHAT_CLIENT
 */
export function assertNotChatClient(ClientClass: unknown): void {
  if (typeof ClientClass !== "function" || MARK.has(ClientClass)) return;
  const proto = (ClientClass as { prototype?: Record<string, unknown> }).prototype;
  const name = (ClientClass as { name?: unknown }).name;
  const chatShaped =
    typeof proto?.createChatThread === "function" ||
    typeof proto?.getChatThreadClient === "function" ||
    (typeof proto?.sendMessage === "function" && typeof proto?.listParticipants === "function");
  if (chatShaped || name === "ChatClient" || name === "ChatThreadClient") {
    throw new BaselineViolationError(
      "USE_CREATE_CHAT_CLIENT",
      "Chat authenticates with a Communication Services user access token, not the factory's Entra credential, so createClient cannot build a ChatClient or ChatThreadClient. Use factory.createChatClient(user): the factory's Entra-authenticated identity client mints and refreshes the user's token, and the client keeps the request guard and the audit log.",
    );
  }
}

function userIdOf(user: ChatUser): string {
  const id = typeof user === "string" ? user : (user as { communicationUserId?: unknown } | null)?.communicationUserId;
  // An id goes into the token request's URL path: a connection string in it would be sent to the service.
  assertNoConnectionString({ communicationUserId: id }, "user");
  if (typeof id !== "string" || !/^8:[a-z0-9-]+:[\w.:@-]{1,256}$/i.test(id) || id.length > 300) {
    throw new TypeError(
      'createChatClient needs a Communication Services user: { communicationUserId: "8:acs:…" } (from CommunicationIdentityClient.createUser).',
    );
  }
  return id;
}

function checkMinutes(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 60 || value > 1440) {
    throw new RangeError("tokenExpiresInMinutes must be an integer from 60 to 1440.");
  }
  return value;
}

/** The token refresher: mints a `chat` token with the identity client and audits each mint. */
function tokenRefresher(parts: ChatClientFactoryParts, userId: string, minutes: number | undefined) {
  const identity = parts.createIdentityClient();
  let minted = 0;
  return async (abortSignal?: AbortSignal): Promise<string> => {
    const action = minted === 0 ? "user-token.issue" : "user-token.refresh";
    try {
      const { token, expiresOn } = await identity.getToken({ communicationUserId: userId }, ["chat"], {
        ...(minutes !== undefined ? { tokenExpiresInMinutes: minutes } : {}),
        ...(abortSignal !== undefined ? { abortSignal } : {}),
      });
      minted++;
      parts.record({
        action,
        outcome: "success",
        controls: ["IM-1", "IM-3"],
        client: "ChatClient",
        token: { expiresOn: expiresOn.toISOString(), scope: "chat" },
      });
      return token;
    } catch (error) {
      const e = (error ?? {}) as { code?: unknown; statusCode?: unknown; name?: unknown };
      const code = typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "Error";
      const status = typeof e.statusCode === "number" ? `, HTTP ${e.statusCode}` : "";
      parts.record({
        action,
        outcome: "failure",
        controls: ["IM-1", "IM-3"],
        client: "ChatClient",
        reason: "The identity service did not issue a chat user token.",
        error: { code: code.slice(0, 64), message: `User token request failed (${code.slice(0, 64)}${status}).` },
      });
      throw error;
    }
  };
}

/**
 * The user token credential as the ChatClient (and each ChatThreadClient) keeps it: only `getToken` and `dispose`,
 * the credential itself in a closure. The ChatClient stores its credential as a plain property, and
 * `AzureCommunicationTokenCredential` keeps the current user token in one of its own (`currentToken.token`), so
 * `console.log(chatClient)`, `util.inspect` or a logger's serialisation of the client printed a token that speaks for
 * the user for up to 24 hours.
 */
function sealedCredential(inner: AzureCommunicationTokenCredential): AzureCommunicationTokenCredential {
  return Object.freeze({
    getToken: (options?: Parameters<AzureCommunicationTokenCredential["getToken"]>[0]) => inner.getToken(options),
    dispose: () => inner.dispose(),
  }) as unknown as AzureCommunicationTokenCredential;
}

/**
 * Builds a ChatClient for `user` through the factory's parts (see the module comment).
 * @throws TypeError for a user that is not a Communication Services user; RangeError for tokenExpiresInMinutes out of
 * range; Error when `@azure/communication-chat` is not installed; BaselineViolationError as `createClient` does.
 */
export function createChatClient(
  parts: ChatClientFactoryParts,
  user: ChatUser,
  options?: CreateChatClientOptions,
): ChatClientLike {
  const userId = userIdOf(user);
  const { tokenExpiresInMinutes, ...clientOptions } = options ?? {};
  const minutes = checkMinutes(tokenExpiresInMinutes);
  const { chat, common } = loadChat();
  const credential = sealedCredential(
    new common.AzureCommunicationTokenCredential({ tokenRefresher: tokenRefresher(parts, userId, minutes) }),
  );
  // createClient builds "ChatClient" with the guarded options; the Entra credential it passes is not used.
  const ChatWithUserToken = function (endpoint: string, _entra: unknown, opts?: object): ChatClientLike {
    return new chat.ChatClient(endpoint, credential, opts);
  } as unknown as AcsClientConstructor<ChatClientLike, CommonClientOptions>;
  Object.defineProperty(ChatWithUserToken, "name", { value: "ChatClient" });
  MARK.add(ChatWithUserToken);
  const client = parts.createClient(ChatWithUserToken, clientOptions);
  const ownThreadClient = client.getChatThreadClient.bind(client);
  // Upstream, a thread client is built from the ChatClient's options, whose audit policy names "ChatClient": each is
  // built through createClient instead, as a ChatThreadClient (its requests and refusals are recorded under that name).
  Object.defineProperty(client, "getChatThreadClient", {
    value: (threadId: string): unknown => {
      // A closed factory builds no clients: the thread client is then upstream's (nothing is recorded any more).
      if (parts.isClosed()) return ownThreadClient(threadId);
      const ThreadWithUserToken = function (endpoint: string, _entra: unknown, opts?: object): unknown {
        return new chat.ChatThreadClient(endpoint, threadId, credential, opts);
      } as unknown as AcsClientConstructor<unknown, CommonClientOptions>;
      Object.defineProperty(ThreadWithUserToken, "name", { value: "ChatThreadClient" });
      MARK.add(ThreadWithUserToken);
      return parts.createClient(ThreadWithUserToken, clientOptions);
    },
    configurable: true,
    writable: true,
  });
  return client;
}
