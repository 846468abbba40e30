// Rooms through the factory (RoomsClient with the guard and audit policies) against the emulator.
import { RoomsClient } from "@azure/communication-rooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../../packages/emulator/src/index.js";
import { useEmulator } from "../../support/useEmulator.js";

const env = useEmulator();
let factory: AcsClientFactory;
let rooms: RoomsClient;
beforeAll(() => {
  factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
  rooms = factory.createClient(RoomsClient);
});
afterAll(() => factory.close());

const alice = { communicationUserId: "8:acs:emulator_alice" };
const bob = { communicationUserId: "8:acs:emulator_bob" };

describe("Rooms through the factory", () => {
  it("creates, gets, updates, lists and deletes a room", async () => {
    const validFrom = new Date();
    const validUntil = new Date(validFrom.getTime() + 60 * 60_000);
    const room = await rooms.createRoom({
      validFrom,
      validUntil,
      pstnDialOutEnabled: true,
      participants: [{ id: alice, role: "Presenter" }],
    });
    expect(room.id).toMatch(/^\d+$/);
    expect(room.pstnDialOutEnabled).toBe(true);
    expect(room.validUntil.getTime()).toBe(validUntil.getTime());
    expect((await rooms.getRoom(room.id)).id).toBe(room.id);
    const later = new Date(validFrom.getTime() + 2 * 60 * 60_000);
    const updated = await rooms.updateRoom(room.id, { validUntil: later, pstnDialOutEnabled: false });
    expect(updated.validUntil.getTime()).toBe(later.getTime());
    expect(updated.pstnDialOutEnabled).toBe(false);
    const ids: string[] = [];
    for await (const r of rooms.listRooms()) ids.push(r.id);
    expect(ids).toContain(room.id);
    await rooms.deleteRoom(room.id);
    await expect(rooms.getRoom(room.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("adds, updates, lists and removes participants", async () => {
    const room = await rooms.createRoom();
    await rooms.addOrUpdateParticipants(room.id, [
      { id: alice, role: "Attendee" },
      { id: bob, role: "Consumer" },
    ]);
    await rooms.addOrUpdateParticipants(room.id, [{ id: alice, role: "Presenter" }]);
    const list = async () => {
      const out: Record<string, string> = {};
      for await (const p of rooms.listParticipants(room.id))
        out[(p.id as { communicationUserId: string }).communicationUserId] = p.role;
      return out;
    };
    expect(await list()).toEqual({ [alice.communicationUserId]: "Presenter", [bob.communicationUserId]: "Consumer" });
    await rooms.removeParticipants(room.id, [bob]);
    expect(await list()).toEqual({ [alice.communicationUserId]: "Presenter" });
  });

  it("refuses a validity longer than 180 days and an update that ends before it starts", async () => {
    const validFrom = new Date();
    await expect(
      rooms.createRoom({ validFrom, validUntil: new Date(validFrom.getTime() + 181 * 86_400_000) }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const room = await rooms.createRoom();
    await expect(
      rooms.updateRoom(room.id, { validUntil: new Date(room.validFrom.getTime() - 1000) }),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect((await rooms.getRoom(room.id)).validUntil.getTime()).toBe(room.validUntil.getTime());
  });
});
