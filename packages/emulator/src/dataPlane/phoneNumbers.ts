/**
 * Phone Numbers (`@azure/communication-phone-numbers`, api-version 2025-06-01): search available numbers, purchase,
 * update capabilities and release, each a long-running operation (202 with `operation-location`, polled at
 * `GET /phoneNumbers/operations/{id}`, which succeeds on the first poll); get and list purchased numbers; number
 * lookup (`POST /operatorInformation/:search`). Numbers found by a search are in the fictional 555-01xx range.
 */
import { randomInt, randomUUID } from "node:crypto";
import type { DataPlaneRequest, Reply, Route } from "./route.js";
import { E164, MAX_ITEMS, objectOf, problem, reply, withApiVersion } from "./route.js";

/** Capabilities of a number, as the REST API writes them. @public */
export interface EmulatorPhoneNumberCapabilities {
  /** Calling capability. */
  calling: "none" | "inbound" | "outbound" | "inbound+outbound";
  /** SMS capability. */
  sms: "none" | "inbound" | "outbound" | "inbound+outbound";
}

/** A number to seed as purchased (see `Emulator.acs.seedPhoneNumber`). @public */
export interface SeedPhoneNumberOptions {
  /** E.164, e.g. `+14255550123`. */
  phoneNumber: string;
  /** ISO 3166 country code. Default `US`. */
  countryCode?: string;
  /** Default `tollFree`. */
  phoneNumberType?: "geographic" | "tollFree" | "mobile";
  /** Default `application`. */
  assignmentType?: "person" | "application";
  /** Default SMS and calling, inbound and outbound. */
  capabilities?: EmulatorPhoneNumberCapabilities;
}

type Purchased = Record<string, unknown> & { phoneNumber: string; capabilities: EmulatorPhoneNumberCapabilities };
type Operation = {
  operationType: string;
  resourceLocation: string | null;
  createdDateTime: string;
  complete: () => void;
  done: boolean;
};

/** Purchased numbers, searches and operations. */
export interface PhoneNumberStore {
  readonly purchased: Map<string, Purchased>;
  readonly searches: Map<string, Record<string, unknown> & { phoneNumbers: string[]; purchased?: boolean }>;
  readonly operations: Map<string, Operation>;
}

const CAPABILITY = new Set(["none", "inbound", "outbound", "inbound+outbound"]);
const TYPES = new Set(["geographic", "tollFree", "mobile"]);
const ASSIGNMENTS = new Set(["person", "application"]);
const COST = { amount: 2, currencyCode: "USD", billingFrequency: "monthly" };
const MAX_LOOKUP = 100;

function purchasedNumber(options: SeedPhoneNumberOptions): Purchased {
  return {
    id: options.phoneNumber.slice(1),
    phoneNumber: options.phoneNumber,
    countryCode: options.countryCode ?? "US",
    phoneNumberType: options.phoneNumberType ?? "tollFree",
    capabilities: { ...(options.capabilities ?? { calling: "inbound+outbound", sms: "inbound+outbound" }) },
    assignmentType: options.assignmentType ?? "application",
    purchaseDate: new Date().toISOString(),
    cost: COST,
  };
}

/** Adds a purchased number (the emulator API's seeding). */
export function seedPhoneNumber(store: PhoneNumberStore, options: SeedPhoneNumberOptions): void {
  if (typeof options?.phoneNumber !== "string" || !E164.test(options.phoneNumber)) {
    throw new TypeError("seedPhoneNumber needs an E.164 phoneNumber, e.g. +14255550123.");
  }
  if (options.phoneNumberType !== undefined && !TYPES.has(options.phoneNumberType))
    throw new TypeError("phoneNumberType is not valid.");
  if (options.assignmentType !== undefined && !ASSIGNMENTS.has(options.assignmentType))
    throw new TypeError("assignmentType is not valid.");
  const caps = options.capabilities;
  if (caps !== undefined && (!CAPABILITY.has(caps.calling) || !CAPABILITY.has(caps.sms)))
    throw new TypeError("capabilities are not valid.");
  if (store.purchased.size >= MAX_ITEMS) throw new RangeError("The emulator keeps at most 10000 purchased numbers.");
  store.purchased.set(options.phoneNumber, purchasedNumber(options));
}

/** Starts an operation; `complete` runs on the first poll. */
function startOperation(
  store: PhoneNumberStore,
  request: DataPlaneRequest,
  kind: string,
  location: string | null,
  complete: () => void,
): Reply {
  if (store.operations.size >= MAX_ITEMS)
    return problem(429, "TooManyRequests", "The emulator keeps at most 10000 operations.");
  const id = `${kind}_${randomUUID()}`;
  const operationType =
    {
      search: "search",
      purchase: "purchase",
      release: "releasePhoneNumber",
      capabilities: "updatePhoneNumberCapabilities",
    }[kind] ?? kind;
  store.operations.set(id, {
    operationType,
    resourceLocation: location,
    createdDateTime: new Date().toISOString(),
    complete,
    done: false,
  });
  const headers: Record<string, string> = {
    "operation-location": withApiVersion(request, `/phoneNumbers/operations/${id}`),
    "operation-id": id,
    "retry-after": "0",
    ...(location !== null ? { location: withApiVersion(request, location) } : {}),
  };
  return reply(202, undefined, headers);
}

function capabilitiesOf(value: unknown): EmulatorPhoneNumberCapabilities | undefined {
  const caps = objectOf(value);
  const calling = caps?.calling ?? "none";
  const sms = caps?.sms ?? "none";
  return typeof calling === "string" && typeof sms === "string" && CAPABILITY.has(calling) && CAPABILITY.has(sms)
    ? ({ calling, sms } as EmulatorPhoneNumberCapabilities)
    : undefined;
}

function search(store: PhoneNumberStore, request: DataPlaneRequest, countryCode: string | undefined): Reply {
  const { phoneNumberType, assignmentType, areaCode, quantity } = request.body;
  const capabilities = capabilitiesOf(request.body.capabilities);
  if (typeof countryCode !== "string" || !/^[A-Z]{2}$/.test(countryCode))
    return problem(400, "InvalidCountryCode", "The country code must be ISO 3166-1 alpha-2.");
  if (typeof phoneNumberType !== "string" || !TYPES.has(phoneNumberType))
    return problem(400, "InvalidPhoneNumberType", "phoneNumberType must be geographic, tollFree or mobile.");
  if (typeof assignmentType !== "string" || !ASSIGNMENTS.has(assignmentType))
    return problem(400, "InvalidAssignmentType", "assignmentType must be person or application.");
  if (capabilities === undefined)
    return problem(
      400,
      "InvalidCapabilities",
      "capabilities.calling and capabilities.sms must be none, inbound, outbound or inbound+outbound.",
    );
  const count = quantity ?? 1;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 10)
    return problem(400, "InvalidQuantity", "quantity must be an integer from 1 to 10.");
  const area =
    typeof areaCode === "string" && /^\d{3}$/.test(areaCode)
      ? areaCode
      : phoneNumberType === "tollFree"
        ? "800"
        : "425";
  const searchId = randomUUID();
  const phoneNumbers = Array.from(
    { length: count },
    () => `+1${area}55501${String(randomInt(0, 100)).padStart(2, "0")}`,
  );
  const result = {
    searchId,
    phoneNumbers: [...new Set(phoneNumbers)],
    phoneNumberType,
    assignmentType,
    capabilities,
    cost: COST,
    searchExpiresBy: new Date(Date.now() + 15 * 60_000).toISOString(),
    countryCode,
  };
  return startOperation(store, request, "search", `/availablePhoneNumbers/searchResults/${searchId}`, () => {
    store.searches.set(searchId, result);
  });
}

function purchase(store: PhoneNumberStore, request: DataPlaneRequest): Reply {
  const searchId = request.body.searchId;
  const found = typeof searchId === "string" ? store.searches.get(searchId) : undefined;
  if (found === undefined || found.purchased === true)
    return problem(404, "SearchNotFound", "The search does not exist, has expired or was purchased.");
  found.purchased = true;
  return startOperation(store, request, "purchase", null, () => {
    for (const phoneNumber of found.phoneNumbers) {
      seedPhoneNumber(store, {
        phoneNumber,
        countryCode: String(found.countryCode),
        phoneNumberType: found.phoneNumberType as SeedPhoneNumberOptions["phoneNumberType"],
        assignmentType: found.assignmentType as SeedPhoneNumberOptions["assignmentType"],
        capabilities: found.capabilities as EmulatorPhoneNumberCapabilities,
      });
    }
  });
}

function updateCapabilities(
  store: PhoneNumberStore,
  request: DataPlaneRequest,
  phoneNumber: string | undefined,
): Reply {
  const number = store.purchased.get(phoneNumber ?? "");
  if (number === undefined)
    return problem(404, "PhoneNumberNotFound", "The phone number is not purchased by this resource.");
  const merged = capabilitiesOf({ ...number.capabilities, ...request.body });
  if (merged === undefined)
    return problem(400, "InvalidCapabilities", "calling and sms must be none, inbound, outbound or inbound+outbound.");
  return startOperation(
    store,
    request,
    "capabilities",
    `/phoneNumbers/${encodeURIComponent(number.phoneNumber)}`,
    () => {
      number.capabilities = merged;
    },
  );
}

function release(store: PhoneNumberStore, request: DataPlaneRequest, phoneNumber: string | undefined): Reply {
  if (!store.purchased.has(phoneNumber ?? ""))
    return problem(404, "PhoneNumberNotFound", "The phone number is not purchased by this resource.");
  return startOperation(store, request, "release", null, () => store.purchased.delete(phoneNumber ?? ""));
}

function operation(store: PhoneNumberStore, id: string | undefined): Reply {
  const op = store.operations.get(id ?? "");
  if (op === undefined) return problem(404, "OperationNotFound", "The operation does not exist.");
  if (!op.done) {
    op.done = true;
    op.complete();
  }
  const { operationType, resourceLocation, createdDateTime } = op;
  const now = new Date().toISOString();
  return reply(
    200,
    { operationType, status: "succeeded", resourceLocation, createdDateTime, id, lastActionDateTime: now },
    { "retry-after": "0" },
  );
}

function lookup(request: DataPlaneRequest): Reply {
  const numbers = request.body.phoneNumbers;
  if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > MAX_LOOKUP) {
    return problem(400, "InvalidPhoneNumbers", `phoneNumbers must list 1 to ${MAX_LOOKUP} numbers.`);
  }
  if (!numbers.every((n) => typeof n === "string" && E164.test(n)))
    return problem(400, "InvalidPhoneNumber", "Every phone number must be E.164.");
  const details = objectOf(request.body.options)?.includeAdditionalOperatorDetails === true;
  const values = (numbers as string[]).map((phoneNumber) => {
    const us = phoneNumber.startsWith("+1") && phoneNumber.length === 12;
    return {
      phoneNumber,
      internationalFormat: us
        ? `+1 ${phoneNumber.slice(2, 5)}-${phoneNumber.slice(5, 8)}-${phoneNumber.slice(8)}`
        : phoneNumber,
      nationalFormat: us
        ? `(${phoneNumber.slice(2, 5)}) ${phoneNumber.slice(5, 8)}-${phoneNumber.slice(8)}`
        : phoneNumber,
      ...(details
        ? {
            isoCountryCode: us ? "US" : "ZZ",
            numberType: "mobile",
            operatorDetails: { name: "Emulator Mobile", mobileCountryCode: "310", mobileNetworkCode: "999" },
          }
        : {}),
    };
  });
  return reply(200, { values });
}

/** The Phone Numbers route table over one store. */
export function phoneNumberRoutes(store: PhoneNumberStore): Route[] {
  const purchasedOne = /^\/phoneNumbers\/([^/]+)$/;
  return [
    {
      method: "POST",
      path: /^\/availablePhoneNumbers\/countries\/([^/]+)\/:search$/,
      handle: (r, [cc]) => search(store, r, cc),
    },
    {
      method: "GET",
      path: /^\/availablePhoneNumbers\/searchResults\/([^/]+)$/,
      handle: (_r, [id]) => {
        const found = store.searches.get(id ?? "");
        if (found === undefined) return problem(404, "SearchNotFound", "The search does not exist.");
        const { countryCode: _cc, purchased: _p, ...result } = found;
        return reply(200, result);
      },
    },
    { method: "POST", path: /^\/availablePhoneNumbers\/:purchase$/, handle: (r) => purchase(store, r) },
    { method: "GET", path: /^\/phoneNumbers\/operations\/([^/]+)$/, handle: (_r, [id]) => operation(store, id) },
    {
      method: "GET",
      path: /^\/phoneNumbers$/,
      handle: () => reply(200, { phoneNumbers: [...store.purchased.values()] }),
    },
    {
      method: "GET",
      path: purchasedOne,
      handle: (_r, [n]) => {
        const number = store.purchased.get(n ?? "");
        return number === undefined
          ? problem(404, "PhoneNumberNotFound", "The phone number is not purchased by this resource.")
          : reply(200, number);
      },
    },
    { method: "DELETE", path: purchasedOne, handle: (r, [n]) => release(store, r, n) },
    {
      method: "PATCH",
      path: /^\/phoneNumbers\/([^/]+)\/capabilities$/,
      handle: (r, [n]) => updateCapabilities(store, r, n),
    },
    { method: "POST", path: /^\/operatorInformation\/:search$/, handle: lookup },
  ];
}
