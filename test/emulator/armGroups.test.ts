/**
 * The emulator's Entra group memberships on the ARM side: `$filter=assignedTo('{id}')` lists a principal's own role
 * assignments and those of its groups (transitively), `principalId eq '{id}'` only its own, and a group's role
 * authorizes its members' requests. Through the real `@azure/arm-authorization` and `@azure/arm-communication` SDKs.
 */
import { randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { CommunicationServiceManagementClient } from "@azure/arm-communication";
import { describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { certificateCredential } from "../support/certificateCredential.js";
import { useEmulator } from "../support/useEmulator.js";
import { armClientOptions } from "../support/armClientOptions.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ application: { armReader: false }, onStarted: (started) => ({ emu, app } = started) });

function clients() {
  const credential = certificateCredential(emu, app);
  const options = armClientOptions(emu);
  return {
    authorization: new AuthorizationManagementClient(credential, emu.arm.subscriptionId, options),
    communication: new CommunicationServiceManagementClient(credential, emu.arm.subscriptionId, options),
  };
}

async function principals(filter: string): Promise<string[]> {
  const out: string[] = [];
  for await (const a of clients().authorization.roleAssignments.listForScope(emu.arm.resourceId.slice(1), { filter }))
    out.push(a.principalId ?? "");
  return out.sort();
}

describe("emulator ARM: group memberships", () => {
  it("assignedTo() includes the groups' assignments (nested too), principalId eq does not; a group's role authorizes its members", async () => {
    const inner = randomUUID();
    const outer = randomUUID();
    const made = [
      emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "resource" }),
      emu.arm.assignRole({ principalId: outer, principalType: "Group", role: "Contributor", scope: "resourceGroup" }),
      emu.arm.assignRole({ principalId: randomUUID(), principalType: "Group", role: "Owner", scope: "subscription" }),
    ];
    emu.arm.addGroupMember(inner, app.objectId);
    emu.arm.addGroupMember(outer, inner);
    try {
      expect(await principals(`assignedTo('${app.objectId}')`)).toEqual([app.objectId, outer].sort());
      expect(await principals(`principalId eq '${app.objectId}'`)).toEqual([app.objectId]);
      expect(await principals(`atScope() and assignedTo('${app.objectId.toUpperCase()}')`)).toEqual(
        [app.objectId, outer].sort(),
      );

      // Without its own role, the app reads the resource's keys through the outer group's Contributor.
      emu.arm.removeRoleAssignment(made[0].id);
      const keys = await clients().communication.communicationServices.listKeys(
        emu.arm.resourceGroup,
        emu.arm.resource.name,
      );
      expect(keys.primaryKey).toBeTruthy();
      emu.arm.removeGroupMember(outer, inner);
      await expect(
        clients().communication.communicationServices.get(emu.arm.resourceGroup, emu.arm.resource.name),
      ).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      for (const a of made) emu.arm.removeRoleAssignment(a.id);
      emu.arm.removeGroupMember(outer, inner);
      emu.arm.removeGroupMember(inner, app.objectId);
    }
  });

  it("refuses a filter it does not know with 400 InvalidFilterInQueryString", async () => {
    const reader = emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "resource" });
    try {
      await expect(principals("principalType eq 'Group'")).rejects.toMatchObject({
        statusCode: 400,
        code: "InvalidFilterInQueryString",
      });
    } finally {
      emu.arm.removeRoleAssignment(reader.id);
    }
  });
});
