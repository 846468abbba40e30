/**
 * Call Automation (`@azure/communication-call-automation`, api-version 2026-03-12): `createCall`, `answerCall`,
 * `hangUp` (for itself: DELETE; for everyone: `:terminate`) and `getCallConnectionProperties`, with the call
 * connection state. No media, no events to the callback URI: a call is `connecting` when created or answered and
 * `connected` from then on; a hung-up call is `disconnected` and answers 404.
 */
import { randomUUID } from "node:crypto";
import type { DataPlaneRequest, Reply, Route } from "./route.js";
import { MAX_ITEMS, objectOf, problem, reply, textOf } from "./route.js";

/** A call connection the emulator keeps (for test inspection). @public */
export interface EmulatorCallConnection {
  /** The ID `getCallConnection` takes. */
  callConnectionId: string;
  /** The server call ID of the call. */
  serverCallId: string;
  /** `connecting` in the create/answer response, `connected` afterwards, `disconnected` once hung up. */
  callConnectionState: "connecting" | "connected" | "disconnected";
  /** How the call started. */
  direction: "outbound" | "inbound";
  /** Raw IDs of the targets (phone numbers masked to their last four digits). */
  targets: string[];
  /** Where the service would post the call's events (the emulator posts none). */
  callbackUri: string;
}

/** Calls and the incoming calls waiting to be answered. */
export interface CallStore {
  readonly calls: Map<string, { public: EmulatorCallConnection; properties: Record<string, unknown> }>;
  /** incomingCallContext → the caller's identifier model. */
  readonly incoming: Map<string, Record<string, unknown>>;
}

function maskRawId(rawId: string): string {
  return rawId.startsWith("4:") ? `4:…${rawId.slice(-4)}` : rawId;
}

/** The identifier model's raw ID when it is a model the emulator understands. */
function rawIdOf(model: unknown): string | undefined {
  const m = objectOf(model);
  if (m === undefined) return undefined;
  const phone = objectOf(m.phoneNumber)?.value;
  if (typeof phone === "string") return /^\+[1-9]\d{6,14}$/.test(phone) ? `4:${phone}` : undefined;
  const user = objectOf(m.communicationUser)?.id;
  if (typeof user === "string" && user.length <= 256) return user;
  return textOf(m.rawId, 256);
}

function checkCallback(value: unknown): string | undefined {
  const text = textOf(value, 2048);
  if (text === undefined) return undefined;
  try {
    return new URL(text).protocol === "https:" ? text : undefined;
  } catch {
    return undefined;
  }
}

function startCall(
  store: CallStore,
  request: DataPlaneRequest,
  targets: unknown[],
  direction: "outbound" | "inbound",
): Reply {
  const callbackUri = checkCallback(request.body.callbackUri);
  if (callbackUri === undefined) return problem(400, "InvalidCallbackUri", "callbackUri must be an https URL.");
  if (store.calls.size >= MAX_ITEMS) return problem(429, "TooManyCalls", "The emulator keeps at most 10000 calls.");
  const rawIds = targets.map(rawIdOf);
  if (rawIds.length === 0 || rawIds.some((id) => id === undefined)) {
    return problem(400, "InvalidTargets", "targets must list phone numbers (E.164) or communication users.");
  }
  const callConnectionId = randomUUID();
  const serverCallId = Buffer.from(`emulator:${randomUUID()}`).toString("base64url");
  const properties: Record<string, unknown> = {
    callConnectionId,
    serverCallId,
    targets,
    callConnectionState: "connecting",
    callbackUri,
    correlationId: randomUUID(),
    ...(request.body.sourceCallerIdNumber !== undefined
      ? { sourceCallerIdNumber: request.body.sourceCallerIdNumber }
      : {}),
    ...(typeof request.body.sourceDisplayName === "string"
      ? { sourceDisplayName: request.body.sourceDisplayName }
      : {}),
    ...(request.body.source !== undefined ? { source: request.body.source } : {}),
    ...(request.body.answeredBy !== undefined ? { answeredBy: request.body.answeredBy } : {}),
  };
  const entry: EmulatorCallConnection = {
    callConnectionId,
    serverCallId,
    callConnectionState: "connected",
    direction,
    targets: (rawIds as string[]).map(maskRawId),
    callbackUri,
  };
  store.calls.set(callConnectionId, { public: entry, properties: { ...properties, callConnectionState: "connected" } });
  return reply(201, properties);
}

function answer(store: CallStore, request: DataPlaneRequest): Reply {
  const context = textOf(request.body.incomingCallContext, 4096);
  const caller = context === undefined ? undefined : store.incoming.get(context);
  if (context === undefined || caller === undefined) {
    return problem(400, "InvalidIncomingCallContext", "incomingCallContext does not belong to a ringing call.");
  }
  const result = startCall(store, request, [caller], "inbound");
  if (result.status === 201) {
    store.incoming.delete(context);
    result.status = 200;
  }
  return result;
}

function liveCall(store: CallStore, id: string | undefined) {
  const call = store.calls.get(id ?? "");
  return call?.public.callConnectionState === "disconnected" ? undefined : call;
}

function hangUp(store: CallStore, id: string | undefined): Reply {
  const call = liveCall(store, id);
  if (call === undefined) return problem(404, "CallNotFound", "The call connection does not exist.");
  call.public.callConnectionState = "disconnected";
  return reply(204);
}

/** The Call Automation route table over one store. */
export function callAutomationRoutes(store: CallStore): Route[] {
  const one = /^\/calling\/callConnections\/([^/:]+)$/;
  return [
    {
      method: "POST",
      path: /^\/calling\/callConnections$/,
      handle: (request) =>
        Array.isArray(request.body.targets)
          ? startCall(store, request, request.body.targets, "outbound")
          : problem(400, "InvalidTargets", "targets is required."),
    },
    { method: "POST", path: /^\/calling\/callConnections:answer$/, handle: (request) => answer(store, request) },
    {
      method: "GET",
      path: one,
      handle: (_r, [id]) => {
        const call = liveCall(store, id);
        return call === undefined
          ? problem(404, "CallNotFound", "The call connection does not exist.")
          : reply(200, call.properties);
      },
    },
    { method: "DELETE", path: one, handle: (_r, [id]) => hangUp(store, id) },
    {
      method: "POST",
      path: /^\/calling\/callConnections\/([^/:]+):terminate$/,
      handle: (_r, [id]) => hangUp(store, id),
    },
  ];
}

/**
 * Rings an incoming call from `from` (an E.164 number or an ACS user ID) and returns its `incomingCallContext`, as
 * the `IncomingCall` Event Grid event would carry it, for `answerCall`.
 */
export function ringIncomingCall(store: CallStore, from: string): string {
  const caller = from.startsWith("+")
    ? { rawId: `4:${from}`, phoneNumber: { value: from } }
    : { rawId: from, communicationUser: { id: from } };
  if (rawIdOf(caller) === undefined) throw new TypeError("from must be an E.164 phone number or an ACS user ID.");
  if (store.incoming.size >= MAX_ITEMS) throw new RangeError("The emulator keeps at most 10000 ringing calls.");
  const context = Buffer.from(`emulator-incoming-call:${randomUUID()}`).toString("base64url");
  store.incoming.set(context, caller);
  return context;
}
