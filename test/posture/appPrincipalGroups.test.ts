/**
 * app-principal-least-privilege counts the rights the app holds through Entra groups: posture lists the app's role
 * assignments with `assignedTo('{oid}')`, which the emulator answers with the assignments of the groups the app is a
 * member of (transitively), as ARM does. Real SDKs, real certificate credential, the emulator's ARM side.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import { check, postureOptions, useReaderEmulator } from "../support/posture.js";

let emu: Emulator;
let app: TestApplication;

useReaderEmulator((started) => ({ emu, app } = started));

describe("app-principal-least-privilege through groups", () => {
  it("fails when a group the app is in holds Owner at the resource group, naming the group", async () => {
    const group = randomUUID();
    emu.arm.addGroupMember(group, app.objectId);
    emu.arm.assignRole({ principalId: group, principalType: "Group", role: "Owner", scope: "resourceGroup" });
    const c = check(await checkPosture(postureOptions(emu, app)), "app-principal-least-privilege");
    expect(c.status).toBe("fail");
    expect(c.evidence).toContain("read the access keys");
    expect(c.evidence).toContain(`Owner at ${emu.arm.scopes.resourceGroup} (through group ${group})`);
    emu.arm.removeGroupMember(group, app.objectId);
  });

  it("follows nested groups (the app in one group, that group in another holding Contributor at the subscription)", async () => {
    const inner = randomUUID();
    const outer = randomUUID();
    emu.arm.addGroupMember(inner, app.objectId);
    emu.arm.addGroupMember(outer, inner);
    emu.arm.assignRole({ principalId: outer, principalType: "Group", role: "Contributor", scope: "subscription" });
    const c = check(await checkPosture(postureOptions(emu, app)), "app-principal-least-privilege");
    expect(c.status).toBe("fail");
    expect(c.evidence).toContain(`through group ${outer}`);
    emu.arm.removeGroupMember(outer, inner);
    emu.arm.removeGroupMember(inner, app.objectId);
  });

  it("passes when the app's groups hold nothing dangerous, and ignores groups it is not in", async () => {
    const mine = randomUUID();
    const other = randomUUID();
    emu.arm.addGroupMember(mine, app.objectId);
    emu.arm.assignRole({ principalId: mine, principalType: "Group", role: "Reader", scope: "resourceGroup" });
    emu.arm.assignRole({ principalId: other, principalType: "Group", role: "Owner", scope: "resourceGroup" });
    const c = check(await checkPosture(postureOptions(emu, app)), "app-principal-least-privilege");
    expect(c.status).toBe("pass");
    expect(c.evidence).toContain(`Reader at ${emu.arm.scopes.resourceGroup} (through group ${mine})`);
    emu.arm.removeGroupMember(mine, app.objectId);
  });
});
