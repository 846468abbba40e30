// Scenario of Microsoft's Email quickstart, run keyless against the emulator.
// Provenance: Azure-Samples/communication-services-javascript-quickstarts, send-email/send-email.js,
// commit 7592a7989a828fa9a43fd36e56a748169ad28e61. The steps, order and inputs follow the sample; the code is written
// here. Changed: the client comes from the factory instead of a connection string; the poll wait is 50 ms instead of
// 10 s; the sample's `getOperationState().isStarted` check is `status` (the state core-lro's HTTP poller exposes).
import { EmailClient, KnownEmailSendStatus } from "@azure/communication-email";
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { startEmulatorWithFactory } from "../../../packages/emulator/src/index.js";

it("email quickstart: beginSend, poll until done, Succeeded", async () => {
  await using acs = await startEmulatorWithFactory(AcsClientFactory);
  const client = acs.factory.createClient(EmailClient);

  const message = {
    senderAddress: "DoNotReply@contoso.example",
    recipients: { to: [{ address: "recipient@contoso.example" }] },
    content: {
      subject: "Test email from JS Sample",
      plainText: "This is plaintext body of test email.",
      html: "<html><h1>This is the html body of test email.</h1></html>",
    },
  };
  const poller = await client.beginSend(message);
  expect(poller.getOperationState().status).not.toBe("notStarted");
  let waited = 0;
  while (!poller.isDone()) {
    await poller.poll();
    await new Promise((resolve) => setTimeout(resolve, 50));
    waited += 50;
    expect(waited).toBeLessThan(5000);
  }
  expect(poller.getResult()?.status).toBe(KnownEmailSendStatus.Succeeded);
  expect(acs.emulator.acs.emails.map((e) => e.id)).toEqual([poller.getResult()?.id]);
});
