// Phone Numbers through the factory: search, purchase, update capabilities and release as long-running operations;
// get and list purchased numbers; seeding from the emulator API; number lookup.
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../../packages/emulator/src/index.js";
import { useEmulator } from "../../support/useEmulator.js";

const env = useEmulator();
let factory: AcsClientFactory;
let numbers: PhoneNumbersClient;
beforeAll(() => {
  factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
  numbers = factory.createClient(PhoneNumbersClient);
});
afterAll(() => factory.close());

async function purchased(): Promise<string[]> {
  const out: string[] = [];
  for await (const n of numbers.listPurchasedPhoneNumbers()) out.push(n.phoneNumber);
  return out;
}

describe("Phone Numbers through the factory", () => {
  it("lists and gets numbers seeded from the emulator API", async () => {
    env.emu.acs.seedPhoneNumber({ phoneNumber: "+18005550199" });
    expect(await purchased()).toContain("+18005550199");
    const number = await numbers.getPurchasedPhoneNumber("+18005550199");
    expect(number).toMatchObject({
      phoneNumber: "+18005550199",
      countryCode: "US",
      phoneNumberType: "tollFree",
      capabilities: { calling: "inbound+outbound", sms: "inbound+outbound" },
    });
    await expect(numbers.getPurchasedPhoneNumber("+18005550198")).rejects.toMatchObject({ statusCode: 404 });
    expect(() => env.emu.acs.seedPhoneNumber({ phoneNumber: "555-0199" })).toThrow(TypeError);
  });

  it("searches, purchases, updates capabilities and releases, each as a long-running operation", async () => {
    const search = await numbers.beginSearchAvailablePhoneNumbers({
      countryCode: "US",
      phoneNumberType: "tollFree",
      assignmentType: "application",
      capabilities: { sms: "outbound", calling: "none" },
      quantity: 1,
    });
    const found = await search.pollUntilDone();
    expect(found.phoneNumbers).toHaveLength(1);
    const [phoneNumber] = found.phoneNumbers as [string];
    expect(phoneNumber).toMatch(/^\+1800555010\d|\+180055501\d\d$/);
    await (await numbers.beginPurchasePhoneNumbers(found.searchId)).pollUntilDone();
    expect(await purchased()).toContain(phoneNumber);
    await expect(numbers.beginPurchasePhoneNumbers(found.searchId)).rejects.toMatchObject({ statusCode: 404 });

    const update = await numbers.beginUpdatePhoneNumberCapabilities(phoneNumber, {
      sms: "inbound+outbound",
      calling: "inbound",
    });
    const updated = await update.pollUntilDone();
    expect(updated.capabilities).toEqual({ sms: "inbound+outbound", calling: "inbound" });

    await (await numbers.beginReleasePhoneNumber(phoneNumber)).pollUntilDone();
    expect(await purchased()).not.toContain(phoneNumber);
  });

  it("looks up operator information", async () => {
    const result = await numbers.searchOperatorInformation(["+14255550123"], {
      includeAdditionalOperatorDetails: true,
    });
    expect(result.values?.[0]).toMatchObject({
      phoneNumber: "+14255550123",
      nationalFormat: "(425) 555-0123",
      isoCountryCode: "US",
      operatorDetails: { name: "Emulator Mobile" },
    });
    await expect(numbers.searchOperatorInformation(["12345"])).rejects.toMatchObject({ statusCode: 400 });
  });
});
