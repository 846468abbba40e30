/** Shared by the role checks: resolve an assignment's role definition and what it grants. */
import type { RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import type { Read } from "../readArm.js";
import { grants } from "../roleActions.js";

/** An assignment with its role definition. */
export interface ResolvedAssignment {
  assignment: RoleAssignment;
  definition: RoleDefinition;
  roleName: string;
}

/**
 * Resolves every assignment's definition; returns the evidence for an `unknown` check when the assignments or one of
 * their definitions could not be read.
 *
 * @param whose - the assignments as the evidence names them, e.g. "The role assignments"
 */
export function resolveAssignments(
  assignments: Read<RoleAssignment[]>,
  definitions: Map<string, Read<RoleDefinition>>,
  whose: string,
): ResolvedAssignment[] | string {
  if (!assignments.ok) return `${whose} could not be read: ${assignments.reason}.`;
  const resolved = resolveEach(assignments.value, definitions);
  return typeof resolved === "string" ? `The role definitions could not be read: ${resolved}.` : resolved;
}

/** Resolves every assignment's definition; returns the failure reason when one cannot be read. */
function resolveEach(
  assignments: readonly RoleAssignment[],
  definitions: Map<string, Read<RoleDefinition>>,
): ResolvedAssignment[] | string {
  const out: ResolvedAssignment[] = [];
  for (const assignment of assignments) {
    const read = definitions.get((assignment.roleDefinitionId ?? "").toLowerCase());
    if (read === undefined) return `role definition ${assignment.roleDefinitionId ?? "(none)"} was not read`;
    if (!read.ok)
      return `role definition ${(assignment.roleDefinitionId ?? "").split("/").pop() ?? ""} could not be read: ${read.reason}`;
    out.push({
      assignment,
      definition: read.value,
      roleName: read.value.roleName ?? read.value.name ?? "(unnamed role)",
    });
  }
  return out;
}

/** True when the resolved role grants `action`. */
export function roleGrants(resolved: ResolvedAssignment, action: string): boolean {
  return grants(resolved.definition.permissions ?? [], action);
}
