// Call Automation through the factory: createCall, answerCall, getCallConnectionProperties and hangUp (no media).
import { CallAutomationClient } from "@azure/communication-call-automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../../packages/emulator/src/index.js";
import { useEmulator } from "../../support/useEmulator.js";

const env = useEmulator();
let factory: AcsClientFactory;
let calls: CallAutomationClient;
beforeAll(() => {
  factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
  calls = factory.createClient(CallAutomationClient);
});
afterAll(() => factory.close());

const callback = "https://app.contoso.example/api/callbacks";

describe("Call Automation through the factory", () => {
  it("creates a call to a phone number, reads its state and hangs up for everyone", async () => {
    const created = await calls.createCall(
      { targetParticipant: { phoneNumber: "+14255550123" }, sourceCallIdNumber: { phoneNumber: "+18005550100" } },
      callback,
    );
    expect(created.callConnectionProperties.callConnectionState).toBe("connecting");
    const id = created.callConnectionProperties.callConnectionId as string;
    const connection = calls.getCallConnection(id);
    const properties = await connection.getCallConnectionProperties();
    expect(properties.callConnectionState).toBe("connected");
    expect(properties.targetParticipants?.[0]).toMatchObject({ phoneNumber: "+14255550123" });
    expect(env.emu.acs.callConnections.find((c) => c.callConnectionId === id)?.targets).toEqual(["4:…0123"]);
    await connection.hangUp(true);
    await expect(connection.getCallConnectionProperties()).rejects.toMatchObject({ statusCode: 404 });
    expect(env.emu.acs.callConnections.find((c) => c.callConnectionId === id)?.callConnectionState).toBe(
      "disconnected",
    );
  });

  it("answers a ringing call and hangs up for itself", async () => {
    const context = env.emu.acs.ringIncomingCall("8:acs:emulator_caller");
    const answered = await calls.answerCall(context, callback);
    const id = answered.callConnectionProperties.callConnectionId as string;
    expect(answered.callConnectionProperties.callConnectionState).toBe("connecting");
    await answered.callConnection.hangUp(false);
    await expect(answered.callConnection.getCallConnectionProperties()).rejects.toMatchObject({ statusCode: 404 });
    await expect(calls.answerCall(context, callback)).rejects.toMatchObject({ statusCode: 400 });
    expect(env.emu.acs.callConnections.find((c) => c.callConnectionId === id)?.direction).toBe("inbound");
  });

  it("refuses a plain-http callback", async () => {
    await expect(
      calls.createCall({ targetParticipant: { communicationUserId: "8:acs:x" } }, "http://insecure.example/cb"),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
