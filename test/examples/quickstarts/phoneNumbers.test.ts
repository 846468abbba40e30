// Scenario of Microsoft's Phone Numbers and Number Lookup quickstarts, run keyless against the emulator.
// Provenance: Azure-Samples/communication-services-javascript-quickstarts,
// phone-numbers-quickstart/phone-numbers-quickstart.js (commit e1d0b70b58d1ac65d31c13881cced351d82d0869) and
// lookup-phone-number/number-lookup-quickstart.js (commit 81d14ab830d17e64cb49ab569fccd098c510fecb). The steps, order
// and inputs follow the samples; the code is written here. Changed: the client comes from the factory instead of a
// connection string.
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { startEmulatorWithFactory } from "../../../packages/emulator/src/index.js";

it("phone numbers quickstart: search, purchase, update capabilities, get, list, release", async () => {
  await using acs = await startEmulatorWithFactory(AcsClientFactory);
  const phoneNumbersClient = acs.factory.createClient(PhoneNumbersClient);

  const searchRequest = {
    countryCode: "US",
    phoneNumberType: "tollFree",
    assignmentType: "application",
    capabilities: { sms: "outbound", calling: "none" },
    areaCode: "833",
    quantity: 1,
  } as const;
  const searchPoller = await phoneNumbersClient.beginSearchAvailablePhoneNumbers(searchRequest);
  const { searchId, phoneNumbers } = await searchPoller.pollUntilDone();
  const phoneNumber = phoneNumbers[0];
  expect(phoneNumber.startsWith("+1833")).toBe(true);

  await (await phoneNumbersClient.beginPurchasePhoneNumbers(searchId)).pollUntilDone();
  const updateRequest = { sms: "inbound+outbound", calling: "outbound" } as const;
  await (await phoneNumbersClient.beginUpdatePhoneNumberCapabilities(phoneNumber, updateRequest)).pollUntilDone();
  const { capabilities } = await phoneNumbersClient.getPurchasedPhoneNumber(phoneNumber);
  expect(capabilities).toEqual(updateRequest);

  const listed: string[] = [];
  for await (const purchased of phoneNumbersClient.listPurchasedPhoneNumbers())
    listed.push(`${purchased.phoneNumber} ${purchased.countryCode}`);
  expect(listed).toEqual([`${phoneNumber} US`]);

  await (await phoneNumbersClient.beginReleasePhoneNumber(phoneNumber)).pollUntilDone();
  await expect(phoneNumbersClient.getPurchasedPhoneNumber(phoneNumber)).rejects.toMatchObject({ statusCode: 404 });
});

it("number lookup quickstart: formatting, then operator details", async () => {
  await using acs = await startEmulatorWithFactory(AcsClientFactory);
  const phoneNumbersClient = acs.factory.createClient(PhoneNumbersClient);
  const target = "+14255550123";

  const formatInfo = (await phoneNumbersClient.searchOperatorInformation([target])).values?.[0];
  expect(formatInfo).toMatchObject({
    phoneNumber: target,
    internationalFormat: "+1 425-555-0123",
    nationalFormat: "(425) 555-0123",
  });
  expect(formatInfo?.operatorDetails).toBeUndefined();

  const operatorInfo = (
    await phoneNumbersClient.searchOperatorInformation([target], { includeAdditionalOperatorDetails: true })
  ).values?.[0];
  expect(operatorInfo).toMatchObject({
    numberType: "mobile",
    isoCountryCode: "US",
    operatorDetails: { name: "Emulator Mobile" },
  });
});
