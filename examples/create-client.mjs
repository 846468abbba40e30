// createClient works with any ACS client whose constructor takes (endpoint, TokenCredential, options): here the
// PhoneNumbersClient, with the same guard, audit policy and shared token as the factory's own clients.
import { PhoneNumbersClient } from "@azure/communication-phone-numbers";
import { connect } from "./lib/connect.mjs";

const { factory, target, close } = await connect();
try {
  const phoneNumbers = factory.createClient(PhoneNumbersClient);
  let count = 0;
  for await (const number of phoneNumbers.listPurchasedPhoneNumbers()) {
    count++;
    console.log(`  ${number.phoneNumber.slice(0, -4).replace(/\d/g, "*")}${number.phoneNumber.slice(-4)}`);
  }
  console.log(`${count} purchased phone number(s) on ${target}`);
} finally {
  await close();
}
