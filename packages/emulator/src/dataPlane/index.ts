/**
 * The emulated ACS data-plane services beyond SMS and identity (Rooms, Email, Call Automation, Phone Numbers, Chat):
 * their stores, their route tables, and the emulator API that seeds and inspects them.
 */
import type { CallStore, EmulatorCallConnection } from "./callAutomation.js";
import { callAutomationRoutes, ringIncomingCall } from "./callAutomation.js";
import type { ChatStore } from "./chat.js";
import { chatRoutes } from "./chat.js";
import type { EmailStore, EmulatorEmail } from "./email.js";
import { emailRoutes } from "./email.js";
import type { PhoneNumberStore, SeedPhoneNumberOptions } from "./phoneNumbers.js";
import { phoneNumberRoutes, seedPhoneNumber } from "./phoneNumbers.js";
import type { RoomsStore } from "./rooms.js";
import { roomsRoutes } from "./rooms.js";
import type { Route } from "./route.js";

/** Seeding and inspection of the emulated ACS services (docs/emulator.md). @public */
export interface EmulatorAcs {
  /** Adds a purchased phone number to the resource (what `listPurchasedPhoneNumbers` and `getPurchasedPhoneNumber` see). */
  seedPhoneNumber(options: SeedPhoneNumberOptions): void;
  /**
   * Rings an incoming call from `from` (E.164 number or ACS user ID) and returns the `incomingCallContext` that the
   * `IncomingCall` event would carry, for `CallAutomationClient.answerCall`.
   */
  ringIncomingCall(from: string): string;
  /** Emails accepted by `beginSend`, oldest first. */
  readonly emails: readonly EmulatorEmail[];
  /** Call connections created or answered, with their state. */
  readonly callConnections: readonly EmulatorCallConnection[];
  /**
   * Caps the lifetime of user access tokens minted from now on (seconds; `undefined` removes the cap), so tests can
   * see tokens expire and be refreshed without waiting the service's 60-minute minimum.
   */
  setUserTokenLifetime(seconds: number | undefined): void;
}

/** The data-plane services of one emulator. */
export interface DataPlane {
  /** Routes authenticated by Entra Bearer tokens (or access keys while local auth is on). */
  readonly routes: readonly Route[];
  /** Routes authenticated by user access tokens with the `chat` scope. */
  readonly chatRoutes: readonly Route[];
  readonly api: EmulatorAcs;
  /** The user-token lifetime cap in seconds, if any. */
  userTokenLifetimeSeconds(): number | undefined;
}

/** Creates empty stores and their route tables. */
export function createDataPlane(): DataPlane {
  const rooms: RoomsStore = new Map();
  const email: EmailStore = { emails: [], operations: new Map() };
  const calls: CallStore = { calls: new Map(), incoming: new Map() };
  const phone: PhoneNumberStore = { purchased: new Map(), searches: new Map(), operations: new Map() };
  const threads: ChatStore = new Map();
  let userTokenLifetime: number | undefined;
  const callConnections: EmulatorCallConnection[] = [];
  return {
    routes: [...roomsRoutes(rooms), ...emailRoutes(email), ...callAutomationRoutes(calls), ...phoneNumberRoutes(phone)],
    chatRoutes: chatRoutes(threads),
    userTokenLifetimeSeconds: () => userTokenLifetime,
    api: {
      seedPhoneNumber: (options) => seedPhoneNumber(phone, options),
      ringIncomingCall: (from) => ringIncomingCall(calls, from),
      emails: email.emails,
      get callConnections() {
        callConnections.length = 0;
        for (const call of calls.calls.values()) callConnections.push(call.public);
        return callConnections;
      },
      setUserTokenLifetime(seconds) {
        if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 1)) {
          throw new RangeError("user token lifetime must be at least 1 second");
        }
        userTokenLifetime = seconds === undefined ? undefined : Math.floor(seconds);
      },
    },
  };
}

export type { EmulatorCallConnection } from "./callAutomation.js";
export type { EmulatorEmail } from "./email.js";
export type { EmulatorPhoneNumberCapabilities, SeedPhoneNumberOptions } from "./phoneNumbers.js";
