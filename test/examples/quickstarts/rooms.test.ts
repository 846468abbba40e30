// Scenario of Microsoft's Rooms quickstart, run keyless against the emulator.
// Provenance: Azure-Samples/communication-services-javascript-quickstarts, rooms-quickstart/client.js,
// commit 51130fc357db571a97a120fc2cc8444df2fb9201. The steps, order and inputs follow the sample; the code is written
// here. Changed: the clients come from the factory instead of a connection string; the sample's pre-GA calls
// (addParticipants, updateParticipants, getParticipants, roomJoinPolicy) are the @azure/communication-rooms 1.2.0
// calls that replaced them (addOrUpdateParticipants, listParticipants).
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { RoomsClient } from "@azure/communication-rooms";
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { startEmulatorWithFactory } from "../../../packages/emulator/src/index.js";

it("rooms quickstart: create, get, update, add/update/remove participants, delete", async () => {
  await using acs = await startEmulatorWithFactory(AcsClientFactory);
  const identityClient = acs.factory.createClient(CommunicationIdentityClient);
  const roomsClient = acs.factory.createClient(RoomsClient);

  const user1 = await identityClient.createUserAndToken(["voip"]);
  const user2 = await identityClient.createUserAndToken(["voip"]);
  const validFrom = new Date(Date.now());
  const validUntil = new Date(validFrom.getTime() + 5 * 60 * 1000);
  const created = await roomsClient.createRoom({
    validFrom,
    validUntil,
    participants: [{ id: user1.user, role: "Attendee" }],
  });
  const roomId = created.id;
  expect((await roomsClient.getRoom(roomId)).id).toBe(roomId);

  validFrom.setTime(validUntil.getTime());
  validUntil.setTime(validFrom.getTime() + 5 * 60 * 1000);
  const updated = await roomsClient.updateRoom(roomId, { validFrom, validUntil });
  expect(updated.validFrom.getTime()).toBe(validFrom.getTime());

  await roomsClient.addOrUpdateParticipants(roomId, [{ id: user2.user, role: "Consumer" }]);
  await roomsClient.addOrUpdateParticipants(roomId, [{ id: user1.user, role: "Presenter" }]);
  const roles = new Map<string, string>();
  for await (const p of roomsClient.listParticipants(roomId))
    roles.set((p.id as { communicationUserId: string }).communicationUserId, p.role);
  expect(roles).toEqual(
    new Map([
      [user1.user.communicationUserId, "Presenter"],
      [user2.user.communicationUserId, "Consumer"],
    ]),
  );

  await roomsClient.removeParticipants(roomId, [user1.user, user2.user]);
  const left: unknown[] = [];
  for await (const p of roomsClient.listParticipants(roomId)) left.push(p);
  expect(left).toEqual([]);
  await roomsClient.deleteRoom(roomId);
  await expect(roomsClient.getRoom(roomId)).rejects.toMatchObject({ statusCode: 404 });
});
