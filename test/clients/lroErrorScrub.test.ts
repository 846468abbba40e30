// IM-8 for long-running operations: the error a poller builds from a failed operation's status body (@azure/core-lro's
// "The long-running operation has failed. <code>. <message>", pollUntilDone's rejection, getOperationState().error)
// is made outside the pipeline. The scrub policy cleans a failed or canceled status body before the poller reads it.
// The emulator (fault injection: the status poll answered 200 with a body of the test's choosing) reports the
// operation Running, then Failed with an error that echoes the Bearer token, a full phone number and the email's
// subject and text; real SDK clients from the factory poll it.
import { inspect } from "node:util";
import { EmailClient } from "@azure/communication-email";
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";
import { EMAIL, PHONE, SUBJECT, TEXT } from "../support/lroEchoes.js";

const env = useEmulator();
const SEARCH = {
  countryCode: "US",
  phoneNumberType: "tollFree",
  assignmentType: "application",
  capabilities: { calling: "outbound", sms: "inbound+outbound" },
} as const;
const OPERATIONS = /^\/(emails|phoneNumbers)\/operations\//;

const echoAll = (token: string) => `Bearer ${token} for ${PHONE} (+1 425 555 0199); subject "${SUBJECT}"; text ${TEXT}`;
type Poller = { pollUntilDone(): Promise<unknown>; getOperationState(): { error?: unknown } };
/** Starts the operation (after any preparation). */
type Start = () => Promise<Poller>;

/** A status body: Running, or `status` with an error (and an inner error) that says `said`. */
function statusBody(status: unknown, said?: string): unknown {
  const base = { id: "op", status, operationType: "purchase", createdDateTime: new Date().toISOString() };
  if (said === undefined) return base;
  return {
    ...base,
    error: { code: "Denied", message: said, innererror: { code: "Inner", message: said }, target: said },
  };
}

/** Everything a caller or a log would show of an error or a poller's state. */
const shown = (value: unknown): string =>
  value instanceof Error
    ? [value.message, String(value.stack), inspect(value, { depth: 8, showHidden: true }), JSON.stringify(value)].join(
        "\n",
      )
    : [inspect(value, { depth: 8, showHidden: true }), JSON.stringify(value)].join("\n");

/** Which of the token, the phone number and the email's content `text` shows (each by its first 12 characters). */
const found = (text: string, token: string): string[] =>
  [token.slice(0, 40), token.slice(-40), PHONE, "4255550199", "425 555 0199", SUBJECT, TEXT, "839201", "Jerry"]
    .filter((secret) => text.includes(secret))
    .map((secret) => secret.slice(0, 12));

/** Runs `run` with every Azure SDK log line (verbose and up) captured. */
async function withVerboseLogs<T>(run: () => Promise<T>): Promise<{ result: T; logs: string }> {
  const lines: string[] = [];
  const [level, log] = [getLogLevel(), AzureLogger.log];
  AzureLogger.log = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 8 }))).join(" "));
  };
  setLogLevel("verbose");
  try {
    return { result: await run(), logs: lines.join("\n") };
  } finally {
    setLogLevel(level);
    AzureLogger.log = log;
  }
}

/**
 * Prepares with `prepare`, then starts the operation it returns, whose first status poll says Running and the next
 * `status` with `said` in its error (or, given bodies, the next polls answer those); returns the rejection of
 * `pollUntilDone`, `getOperationState()` and its `error`, and the factory's token.
 */
async function failedOperation(
  prepare: (factory: AcsClientFactory) => Start | Promise<Start>,
  status: string | ((token: string) => unknown)[],
  said: (token: string) => string = echoAll,
): Promise<{ token: string; seen: unknown[] }> {
  const factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
  const token = (await factory.credential.getToken("https://communication.azure.com//.default"))?.token ?? "";
  const begin = await prepare(factory);
  const bodies = typeof status === "string" ? [statusBody(status, said(token))] : status.map((body) => body(token));
  const faults = [statusBody("Running"), ...bodies].map((body) =>
    env.emu.injectFault({ side: "acs", path: OPERATIONS, status: 200, retryAfterSeconds: 0, count: 1, body }),
  );
  try {
    const poller = await begin();
    const rejection = await poller.pollUntilDone().then(
      () => new Error("pollUntilDone resolved"),
      (e: unknown) => e,
    );
    return { token, seen: [rejection, poller.getOperationState().error, poller.getOperationState()] };
  } finally {
    for (const fault of faults) fault.remove();
    await factory.close();
  }
}

const sendEmail =
  (f: AcsClientFactory): Start =>
  () =>
    f.createClient(EmailClient).beginSend(EMAIL, { updateIntervalInMs: 1 });
const phoneCases: [string, (f: AcsClientFactory) => Start | Promise<Start>][] = [
  [
    "beginSearchAvailablePhoneNumbers",
    (f) => () => f.createClient(PhoneNumbersClient).beginSearchAvailablePhoneNumbers(SEARCH),
  ],
  [
    "beginPurchasePhoneNumbers",
    async (f) => {
      const client = f.createClient(PhoneNumbersClient);
      const { searchId } = await (await client.beginSearchAvailablePhoneNumbers(SEARCH)).pollUntilDone();
      return () => client.beginPurchasePhoneNumbers(searchId);
    },
  ],
  ["beginReleasePhoneNumber", (f) => () => f.createClient(PhoneNumbersClient).beginReleasePhoneNumber(PHONE)],
  [
    "beginUpdatePhoneNumberCapabilities",
    (f) => () =>
      f
        .createClient(PhoneNumbersClient)
        .beginUpdatePhoneNumberCapabilities(PHONE, { calling: "none", sms: "outbound" }),
  ],
];

describe("a long-running operation whose failed status echoes secrets", () => {
  it("Email beginSend: the rejection, the state's error and the state hold no token, phone number or content", async () => {
    const { token, seen } = await failedOperation(sendEmail, "Failed", echoAll);
    expect(token.length).toBeGreaterThan(20);
    expect(seen[0]).toBeInstanceOf(Error);
    expect(seen[1]).toBeInstanceOf(Error);
    const all = seen.map(shown).join("\n");
    // the service's own words that are not secrets stay: the code, and what is left of the message
    expect((seen[0] as Error).message).toMatch(/^The long-running operation has failed\. Inner\. Bearer \[REDACTED\]/);
    for (const secret of [
      token.slice(0, 40),
      token.slice(-40),
      PHONE,
      "425 555 0199",
      SUBJECT,
      TEXT,
      "839201",
      "Jerry",
    ])
      expect({ secret: secret.slice(0, 12), found: all.includes(secret) }).toEqual({
        secret: secret.slice(0, 12),
        found: false,
      });
  });

  it("Email beginSend canceled: the state holds none of them either", async () => {
    const { token, seen } = await failedOperation(sendEmail, "Canceled", echoAll);
    const all = seen.map(shown).join("\n");
    for (const secret of [token.slice(0, 40), PHONE, SUBJECT, TEXT, "839201"]) expect(all.includes(secret)).toBe(false);
  });

  it.each(phoneCases)("PhoneNumbersClient %s: no token or full phone number", async (_name, begin) => {
    env.emu.acs.seedPhoneNumber({ phoneNumber: PHONE });
    const said = (token: string) => `Bearer ${token} could not take ${PHONE} (1-425-555-0199)`;
    const { token, seen } = await failedOperation(begin, "failed", said);
    // the state's config keeps the resource URL the start answered (the caller's own number, success or not)
    const all = [...seen.slice(0, 2), { ...(seen[2] as object), config: undefined }].map(shown).join("\n");
    expect((seen[0] as Error).message).toMatch(/^The long-running operation has failed\. Inner\. /);
    for (const secret of [token.slice(0, 40), token.slice(-40), PHONE, "4255550199", "425-555-0199"])
      expect({ secret: secret.slice(0, 12), found: all.includes(secret) }).toEqual({
        secret: secret.slice(0, 12),
        found: false,
      });
  });

  it("control: the same operations succeed, results intact, when the status says so", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
    try {
      const sent = await (await factory.createClient(EmailClient).beginSend(EMAIL)).pollUntilDone();
      expect(sent.status).toBe("Succeeded");
      const numbers = factory.createClient(PhoneNumbersClient);
      const search = await (await numbers.beginSearchAvailablePhoneNumbers(SEARCH)).pollUntilDone();
      expect(search.phoneNumbers.length).toBe(1);
      const purchase = await numbers.beginPurchasePhoneNumbers(search.searchId);
      await purchase.pollUntilDone();
      expect(purchase.getOperationState()).toMatchObject({ isCompleted: true });
      expect(purchase.getOperationState().error).toBeUndefined();
      const bought = await numbers.getPurchasedPhoneNumber(search.phoneNumbers[0] ?? "");
      expect(bought.purchaseDate).toBeInstanceOf(Date);
    } finally {
      await factory.close();
    }
  });

  it("a status that is not a string: core-lro's 'Polling was unsuccessful' error holds none of them", async () => {
    const { token, seen } = await failedOperation(sendEmail, [
      (t) => statusBody([`Bearer ${t}`, TEXT, PHONE, SUBJECT], echoAll(t)),
    ]);
    expect((seen[0] as Error).message).toMatch(/^Polling was unsuccessful\. Expected status to have a string value/);
    expect((seen[0] as Error).message).toContain("Bearer [REDACTED]");
    expect(found(seen.map(shown).join("\n"), token)).toEqual([]);
  });

  it("an unrecognised status: core-lro's verbose log line, its status line and the error hold none of them", async () => {
    const { result, logs } = await withVerboseLogs(() =>
      failedOperation(sendEmail, [
        (t) => statusBody(`Failed: ${TEXT} for ${PHONE}, Bearer ${t}`),
        (t) => statusBody("Failed", echoAll(t)),
      ]),
    );
    // the unrecognised status was read, and logged (scrubbed), before the operation failed
    expect(logs).toMatch(
      /LRO: unrecognized operation status: Failed: \[REDACTED\] for \*\*\*0199, Bearer \[REDACTED\]/,
    );
    expect((result.seen[0] as Error).message).toMatch(/^The long-running operation has failed\./);
    expect(found([...result.seen.map(shown), logs].join("\n"), result.token)).toEqual([]);
  });

  it("control: NotStarted, Running, then a Succeeded body: the result is the service's, untouched", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
    const succeeded = statusBody("Succeeded", `delivered to ${PHONE}: ${SUBJECT}`);
    const faults = [statusBody("NotStarted"), statusBody("Running"), succeeded].map((body) =>
      env.emu.injectFault({ side: "acs", path: OPERATIONS, status: 200, retryAfterSeconds: 0, count: 1, body }),
    );
    try {
      const { result, logs } = await withVerboseLogs(async () =>
        (await factory.createClient(EmailClient).beginSend(EMAIL, { updateIntervalInMs: 1 })).pollUntilDone(),
      );
      expect(result).toMatchObject({ id: "op", status: "Succeeded" });
      expect(result.error?.message).toBe(`delivered to ${PHONE}: ${SUBJECT}`);
      expect(logs).toContain("LRO: unrecognized operation status: NotStarted");
    } finally {
      for (const fault of faults) fault.remove();
      await factory.close();
    }
  });
});
