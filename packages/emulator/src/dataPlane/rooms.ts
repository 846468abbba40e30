/**
 * Rooms (`@azure/communication-rooms`, api-version 2025-03-13): create, get, update, delete and list rooms; add,
 * update, remove and list participants (`PATCH /rooms/{id}/participants`, JSON merge patch: `null` removes).
 */
import { randomInt } from "node:crypto";
import type { DataPlaneRequest, Reply, Route } from "./route.js";
import { MAX_ITEMS, objectOf, problem, reply } from "./route.js";

const ROLES = new Set(["Presenter", "Attendee", "Consumer", "Collaborator"]);
const MAX_VALIDITY_MS = 180 * 24 * 60 * 60_000;
const MAX_PARTICIPANTS = 1_000;

/** A room the emulator keeps. */
export interface EmulatedRoom {
  id: string;
  createdAt: string;
  validFrom: string;
  validUntil: string;
  pstnDialOutEnabled: boolean;
  participants: Map<string, string>;
}

/** The rooms of one emulator. */
export type RoomsStore = Map<string, EmulatedRoom>;

function roomJson(room: EmulatedRoom): Record<string, unknown> {
  const { id, createdAt, validFrom, validUntil, pstnDialOutEnabled } = room;
  return { id, createdAt, validFrom, validUntil, pstnDialOutEnabled };
}

function parseTime(value: unknown, fallback: number): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

/** Applies validFrom / validUntil / pstnDialOutEnabled from a request body; a string is the error message. */
function applyRoomFields(room: EmulatedRoom, body: Record<string, unknown>): string | undefined {
  const from = parseTime(body.validFrom, Date.parse(room.validFrom));
  const until = parseTime(body.validUntil, Date.parse(room.validUntil));
  if (from === undefined || until === undefined) return "validFrom and validUntil must be ISO-8601 date-times.";
  if (until <= from) return "validUntil must be later than validFrom.";
  if (until - from > MAX_VALIDITY_MS) return "A room can be valid for at most 180 days.";
  if (body.pstnDialOutEnabled !== undefined && typeof body.pstnDialOutEnabled !== "boolean") {
    return "pstnDialOutEnabled must be a boolean.";
  }
  room.validFrom = new Date(from).toISOString();
  room.validUntil = new Date(until).toISOString();
  if (typeof body.pstnDialOutEnabled === "boolean") room.pstnDialOutEnabled = body.pstnDialOutEnabled;
  return undefined;
}

/** Applies a participants merge patch (`{ rawId: { role } | null }`); a string is the error message. */
function patchParticipants(room: EmulatedRoom, patch: unknown): string | undefined {
  if (patch === undefined || patch === null) return undefined;
  const entries = objectOf(patch);
  if (entries === undefined) return "participants must be an object keyed by raw identifier.";
  const next = new Map(room.participants);
  for (const [rawId, value] of Object.entries(entries)) {
    if (!rawId.startsWith("8:acs:") || rawId.length > 256) return "Participants must be ACS users (raw ID 8:acs:…).";
    if (value === null) {
      next.delete(rawId);
      continue;
    }
    const role = objectOf(value)?.role ?? "Attendee";
    if (typeof role !== "string" || !ROLES.has(role))
      return "role must be Presenter, Attendee, Consumer or Collaborator.";
    next.set(rawId, role);
  }
  if (next.size > MAX_PARTICIPANTS) return `A room has at most ${MAX_PARTICIPANTS} participants.`;
  room.participants = next;
  return undefined;
}

function newRoomId(rooms: RoomsStore): string {
  let id: string;
  do id = `99${String(randomInt(10 ** 9, 10 ** 10))}${String(randomInt(10 ** 5, 10 ** 6))}`;
  while (rooms.has(id));
  return id;
}

function create(rooms: RoomsStore, request: DataPlaneRequest): Reply {
  if (rooms.size >= MAX_ITEMS) return problem(429, "TooManyRooms", "The emulator keeps at most 10000 rooms.");
  const now = Date.now();
  const room: EmulatedRoom = {
    id: newRoomId(rooms),
    createdAt: new Date(now).toISOString(),
    validFrom: new Date(now).toISOString(),
    validUntil: new Date(now + MAX_VALIDITY_MS).toISOString(),
    pstnDialOutEnabled: false,
    participants: new Map(),
  };
  const invalid = applyRoomFields(room, request.body) ?? patchParticipants(room, request.body.participants);
  if (invalid !== undefined) return problem(400, "BadRequest", invalid);
  rooms.set(room.id, room);
  return reply(201, roomJson(room));
}

function withRoom(rooms: RoomsStore, id: string | undefined, then: (room: EmulatedRoom) => Reply): Reply {
  const room = rooms.get(id ?? "");
  return room === undefined ? problem(404, "RoomNotFound", "The room does not exist.") : then(room);
}

/** The Rooms route table over one store. */
export function roomsRoutes(rooms: RoomsStore): Route[] {
  const one = /^\/rooms\/([^/]+)$/;
  const participants = /^\/rooms\/([^/]+)\/participants$/;
  return [
    { method: "POST", path: /^\/rooms$/, handle: (request) => create(rooms, request) },
    { method: "GET", path: /^\/rooms$/, handle: () => reply(200, { value: [...rooms.values()].map(roomJson) }) },
    { method: "GET", path: one, handle: (_r, [id]) => withRoom(rooms, id, (room) => reply(200, roomJson(room))) },
    {
      method: "PATCH",
      path: one,
      handle: (request, [id]) =>
        withRoom(rooms, id, (room) => {
          const draft = { ...room };
          const invalid = applyRoomFields(draft, request.body);
          if (invalid !== undefined) return problem(400, "BadRequest", invalid);
          Object.assign(room, draft);
          return reply(200, roomJson(room));
        }),
    },
    {
      method: "DELETE",
      path: one,
      handle: (_r, [id]) => withRoom(rooms, id, (room) => (rooms.delete(room.id), reply(204))),
    },
    {
      method: "GET",
      path: participants,
      handle: (_r, [id]) =>
        withRoom(rooms, id, (room) =>
          reply(200, { value: [...room.participants].map(([rawId, role]) => ({ rawId, role })) }),
        ),
    },
    {
      method: "PATCH",
      path: participants,
      handle: (request, [id]) =>
        withRoom(rooms, id, (room) => {
          const invalid = patchParticipants(room, request.body.participants);
          return invalid === undefined ? reply(200, {}) : problem(400, "BadRequest", invalid);
        }),
    },
  ];
}
