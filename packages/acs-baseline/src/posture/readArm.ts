/**
 * Reads what the checks need from ARM, each source on its own so one failure (403, unreachable) makes only the
 * checks that depend on it `unknown`. Nothing is written.
 */
import type { CommunicationServiceResource, CommunicationServices } from "@azure/arm-communication";
import type { RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import type { DiagnosticSettingsResource } from "@azure/arm-monitor";
import { isBaselineViolationError } from "../errors.js";
import type { ArmClients } from "./armClients.js";
import { ArmPagingError } from "./armRequestLimits.js";
import type { AcsResourceId } from "./resourceId.js";
import { scrubText } from "../text/scrub.js";

/** A source that was read, or why it was not. */
export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Everything the checks use. */
export interface PostureInputs {
  resource: Read<CommunicationServiceResource>;
  diagnosticSettings: Read<DiagnosticSettingsResource[]>;
  /** Role assignments at or above the resource (`atScope()`). */
  assignments: Read<RoleAssignment[]>;
  /**
   * The app principal's role assignments that apply to the resource: `assignedTo('…')`, its own and those of the
   * groups it is in; when ARM refuses that filter (400), `principalId eq '…'`, its own only ({@link appGroupsUnread}).
   */
  appAssignments: Read<RoleAssignment[]>;
  /** Why the app's groups' role assignments are not in `appAssignments` (ARM refused `assignedTo`); absent when they are. */
  appGroupsUnread?: string;
  /** Role definitions by the ids the assignments reference (lower-cased id → definition or failure). */
  definitions: Map<string, Read<RoleDefinition>>;
}

/**
 * An error code or name from a server or an upstream error, for a message: kept only when it looks like a code
 * (a word of at most 48 characters, few digits) and the scrubber leaves it alone; a key in an error body is not.
 */
export function safeCode(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const digits = value.replace(/\D/g, "").length;
  return /^[A-Za-z][A-Za-z0-9_.-]{0,47}$/.test(value) && digits <= 8 && scrubText(value) === value
    ? value
    : "unrecognised code";
}

/** A secret-free reason for a failed ARM call: HTTP status and ARM error code, or the network error code. */
export function describeArmError(error: unknown): string {
  // Our own refusal (a certificate ARM's host does not verify with, a blocked request) says what to do: keep it.
  if (isBaselineViolationError(error)) return error.message;
  // A list that would page for ever (a nextLink repeated, too many pages): our own words, secret-free.
  if (error instanceof ArmPagingError) return error.message;
  const e = error as {
    statusCode?: unknown;
    status?: unknown;
    code?: unknown;
    name?: unknown;
    details?: { error?: { code?: unknown } };
  };
  const status =
    typeof e.statusCode === "number"
      ? e.statusCode
      : typeof e.status === "number"
        ? e.status
        : typeof e.status === "string"
          ? Number(e.status)
          : undefined;
  const code = safeCode(typeof e.details?.error?.code === "string" ? e.details.error.code : e.code);
  if (status === 403)
    return `ARM answered 403 (${code ?? "AuthorizationFailed"}): the principal lacks the permission to read this`;
  if (status === 401) return `ARM answered 401 (${code ?? "AuthenticationFailed"}): the token was not accepted`;
  if (status !== undefined && Number.isFinite(status) && status > 0)
    return `ARM answered ${status}${code !== undefined ? ` (${code})` : ""}`;
  if (e.name === "AbortError") return "ARM did not answer in time";
  // An answer the SDK could not read (a list without its `value` array, a member of an unexpected type): the SDK's
  // RestError without status or code, or the TypeError of its deserializer. ARM answered; it is not unreachable.
  if ((e.name === "RestError" && code === undefined) || error instanceof TypeError)
    return `ARM's answer could not be read (${safeCode(e.name) ?? "Error"})`;
  return `ARM is unreachable (${code ?? safeCode(e.name) ?? "network error"})`;
}

async function attempt<T>(run: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, reason: describeArmError(error) };
  }
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const noSlash = (id: string) => id.replace(/^\/+/, "");
const lower = (s: string) => s.toLowerCase();

/** True when a role assignment at `scope` applies to `resourceId` (at or above it; ARM's principal filter also returns ones below). */
export function appliesToResource(scope: string | undefined, resourceId: string): boolean {
  if (scope === undefined) return false;
  const s = lower(scope.replace(/\/+$/, ""));
  const r = lower(resourceId);
  return (
    s === "" ||
    s === "/" ||
    s === r ||
    r.startsWith(`${s}/`) ||
    s.startsWith("/providers/microsoft.management/managementgroups/")
  );
}

/**
 * The resource, with `disableLocalAuth` taken from the raw document's `properties` only, and only a JSON `true`
 * counts (a top-level member, a string "true" or anything else reads as not set: the SDK's own model would turn the
 * string "true" into `true`). Shared by posture and the CLI's readiness, so both read the flag one way.
 */
export async function readCommunicationResource(
  communication: { communicationServices: Pick<CommunicationServices, "get"> },
  resource: AcsResourceId,
  options: { abortSignal: AbortSignal },
): Promise<CommunicationServiceResource> {
  let raw: unknown;
  const value = await communication.communicationServices.get(resource.resourceGroup, resource.name, {
    ...options,
    onResponse: (response) => {
      // The raw text: `parsedBody` is already the SDK's flattened model by now.
      try {
        raw = JSON.parse(response.bodyAsText ?? "");
      } catch {
        raw = undefined;
      }
    },
  });
  const properties = typeof raw === "object" && raw !== null ? (raw as { properties?: unknown }).properties : undefined;
  const flag =
    typeof properties === "object" && properties !== null
      ? (properties as { disableLocalAuth?: unknown }).disableLocalAuth
      : undefined;
  return { ...value, disableLocalAuth: flag === true ? true : flag === false ? false : undefined };
}

/** The app principal's role assignments that apply to the resource, with its groups' when ARM lists them. */
async function readAppAssignments(
  clients: ArmClients,
  resource: AcsResourceId,
  appObjectId: string | undefined,
  options: { abortSignal: AbortSignal },
): Promise<{ read: Read<RoleAssignment[]>; groupsUnread?: string }> {
  if (appObjectId === undefined)
    return { read: { ok: false, reason: "the ARM token has no oid claim, so the app's own principal is not known" } };
  const list = async (filter: string) =>
    (
      await all(clients.authorization.roleAssignments.listForScope(noSlash(resource.id), { ...options, filter }))
    ).filter((a) => appliesToResource(a.scope, resource.id));
  try {
    // Role Assignments - List For Scope: "assignedTo('{objectId}')" lists the principal's assignments at, above or
    // below the scope, those of the groups it is a member of included (`az role assignment list --include-groups`).
    return { read: { ok: true, value: await list(`assignedTo('${appObjectId}')`) } };
  } catch (error) {
    const e = error as { statusCode?: unknown; status?: unknown };
    if (e.statusCode !== 400 && e.status !== 400) return { read: { ok: false, reason: describeArmError(error) } };
    // A refused filter: the direct assignments only, and the check says the groups' are missing.
    const groupsUnread = `ARM refused $filter=assignedTo() (${describeArmError(error)}), so only the app's direct role assignments were listed`;
    return { read: await attempt(() => list(`principalId eq '${appObjectId}'`)), groupsUnread };
  }
}

/** Reads the resource, its diagnostic settings, the role assignments that apply to it and their role definitions. */
export async function readPostureInputs(
  clients: ArmClients,
  resource: AcsResourceId,
  appObjectId: string | undefined,
  signal: AbortSignal,
): Promise<PostureInputs> {
  const options = { abortSignal: signal };
  const scope = noSlash(resource.id);
  // The roles (assignments, then the definitions they name) go on by themselves: a slow diagnostic settings list (a
  // next page that never answers) must not hold them until the deadline and make the role checks unknown too.
  const roles = async () => {
    const [assignments, app] = await Promise.all([
      attempt(() =>
        all(clients.authorization.roleAssignments.listForScope(scope, { ...options, filter: "atScope()" })),
      ),
      readAppAssignments(clients, resource, appObjectId, options),
    ]);
    const ids = new Map<string, string>();
    for (const list of [assignments, app.read]) {
      if (!list.ok) continue;
      for (const a of list.value)
        if (a.roleDefinitionId !== undefined) ids.set(lower(a.roleDefinitionId), a.roleDefinitionId);
    }
    const definitions = new Map<string, Read<RoleDefinition>>();
    await Promise.all(
      [...ids].map(async ([key, id]) => {
        definitions.set(key, await attempt(() => clients.authorization.roleDefinitions.getById(noSlash(id), options)));
      }),
    );
    return { assignments, app, definitions };
  };
  const [resourceRead, diagnosticSettings, { assignments, app, definitions }] = await Promise.all([
    attempt(() => readCommunicationResource(clients.communication, resource, options)),
    attempt(() => all(clients.monitor.diagnosticSettings.list(scope, options))),
    roles(),
  ]);
  const appAssignments = app.read;
  return {
    resource: resourceRead,
    diagnosticSettings,
    assignments,
    appAssignments,
    ...(app.groupsUnread !== undefined ? { appGroupsUnread: app.groupsUnread } : {}),
    definitions,
  };
}
