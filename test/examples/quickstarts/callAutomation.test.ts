// Scenario of Microsoft's Call Automation outbound-calling quickstart (its client side), run keyless against the
// emulator. Provenance: Azure-Samples/communication-services-javascript-quickstarts,
// CallAutomation_OutboundCalling/src/app.ts, commit 0490b4370ea891be79f511ea391316c48e360ea0. The steps, order and
// inputs follow the sample; the code is written here. Changed: the client comes from the factory instead of a
// connection string; the sample's web server and its callback events (CallConnected, RecognizeCompleted,
// PlayCompleted), tone recognition, audio prompts and recording are left out: the emulator has no media and sends no
// events (docs/emulator.md), so the call's state is read with getCallConnectionProperties instead.
import { CallAutomationClient } from "@azure/communication-call-automation";
import type { CallInvite } from "@azure/communication-call-automation";
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { startEmulatorWithFactory } from "../../../packages/emulator/src/index.js";

it("call automation quickstart: place an outbound call to a phone number, then hang up for everyone", async () => {
  await using acs = await startEmulatorWithFactory(AcsClientFactory);
  const acsClient = acs.factory.createClient(CallAutomationClient);
  const callee = { rawId: "4:+14255550123", phoneNumber: "+14255550123" };
  const callInvite: CallInvite = { targetParticipant: callee, sourceCallIdNumber: { phoneNumber: "+18335550100" } };

  const created = await acsClient.createCall(callInvite, "https://app.contoso.example/ongoingcall");
  const callConnectionId = created.callConnectionProperties.callConnectionId as string;
  const callConnection = acsClient.getCallConnection(callConnectionId);
  expect((await callConnection.getCallConnectionProperties()).callConnectionState).toBe("connected");
  await callConnection.hangUp(true);
  expect(acs.emulator.acs.callConnections[0]?.callConnectionState).toBe("disconnected");
});
