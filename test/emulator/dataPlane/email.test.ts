// Email through the factory: beginSend is a long-running operation polled to completion.
import { EmailClient } from "@azure/communication-email";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../../packages/emulator/src/index.js";
import { useEmulator } from "../../support/useEmulator.js";

const env = useEmulator();
let factory: AcsClientFactory;
let email: EmailClient;
beforeAll(() => {
  factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
  email = factory.createClient(EmailClient);
});
afterAll(() => factory.close());

const message = {
  senderAddress: "DoNotReply@contoso.example",
  content: { subject: "Welcome", plainText: "Hello from the emulator" },
  recipients: {
    to: [{ address: "alice@contoso.example", displayName: "Alice" }],
    bcc: [{ address: "audit@contoso.example" }],
  },
};

describe("Email through the factory", () => {
  it("beginSend polls the operation to Succeeded and the emulator keeps the email", async () => {
    const poller = await email.beginSend(message);
    expect(poller.getOperationState().status === "running" || poller.isDone()).toBe(true);
    const result = await poller.pollUntilDone();
    expect(result.status).toBe("Succeeded");
    const sent = env.emu.acs.emails.find((e) => e.id === result.id);
    expect(sent).toMatchObject({
      senderAddress: message.senderAddress,
      to: ["alice@contoso.example"],
      bcc: ["audit@contoso.example"],
      subject: "Welcome",
      clientId: env.app.clientId,
    });
  });

  it("refuses a message without recipients or subject", async () => {
    await expect(email.beginSend({ ...message, recipients: { to: [] } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(email.beginSend({ ...message, content: { subject: "", plainText: "x" } })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
