/**
 * Microsoft.Insights Activity Log: `GET /subscriptions/{id}/providers/Microsoft.Insights/eventtypes/management/values`
 * (api-version 2015-04-01) with `$filter` on `eventTimestamp` (`ge`, `le`) and `resourceUri` (`eq`), and nextLink
 * paging. The emulator records its own listKeys and regenerateKey calls here (a Started and a Succeeded event with
 * one correlationId, as Azure does).
 */
import { randomUUID } from "node:crypto";
import type { EstateActivityEvent } from "./estate.js";
import type { ArmRequest, Outcome } from "./request.js";
import { authorize, deny, fail, page, send } from "./request.js";
import { lower } from "./state.js";

const PATH = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.insights\/eventtypes\/management\/values$/;
const OBJECT_ID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const READ = "Microsoft.Insights/eventtypes/values/read";

/** Records a key operation by the request's caller on `resourceId` (Started, then Succeeded). */
export function recordKeyOperation(r: ArmRequest, resourceId: string, operation: string): void {
  const correlationId = randomUUID();
  const upn = typeof r.claims.upn === "string" ? r.claims.upn : undefined;
  const now = Date.now();
  for (const [status, offset] of [
    ["Started", 0],
    ["Succeeded", 1],
  ] as const) {
    r.state.estate.activity.push({
      eventDataId: randomUUID(),
      correlationId,
      eventTimestamp: new Date(now + offset).toISOString(),
      resourceId,
      operationName: operation,
      status,
      caller: upn ?? r.oid,
      appId: r.clientId,
      objectId: r.oid,
    });
  }
}

function eventJson(e: EstateActivityEvent, subscriptionId: string): Record<string, unknown> {
  return {
    authorization: { action: e.operationName, scope: e.resourceId },
    caller: e.caller,
    claims: { appid: e.appId, [OBJECT_ID_CLAIM]: e.objectId },
    channels: "Operation",
    correlationId: e.correlationId,
    eventDataId: e.eventDataId,
    eventName: {
      value: e.status === "Started" ? "BeginRequest" : "EndRequest",
      localizedValue: e.status === "Started" ? "Begin request" : "End request",
    },
    category: { value: "Administrative", localizedValue: "Administrative" },
    id: `${e.resourceId}/events/${e.eventDataId}/ticks/${Date.parse(e.eventTimestamp) * 10000}`,
    level: "Informational",
    operationId: e.correlationId,
    operationName: { value: e.operationName, localizedValue: e.operationName },
    resourceGroupName: e.resourceId.split("/")[4] ?? "",
    resourceProviderName: { value: "Microsoft.Communication", localizedValue: "Microsoft.Communication" },
    resourceType: {
      value: "Microsoft.Communication/CommunicationServices",
      localizedValue: "Microsoft.Communication/CommunicationServices",
    },
    resourceId: e.resourceId,
    status: { value: e.status, localizedValue: e.status },
    subStatus: {
      value: e.status === "Succeeded" ? "OK" : "",
      localizedValue: e.status === "Succeeded" ? "OK (HTTP Status Code: 200)" : "",
    },
    eventTimestamp: e.eventTimestamp,
    submissionTimestamp: e.eventTimestamp,
    subscriptionId,
    tenantId: "",
  };
}

type Filter = { from?: number; to?: number; resourceUri?: string };

/** Parses `eventTimestamp ge '…' and eventTimestamp le '…' and resourceUri eq '…'`; undefined when unsupported. */
function parseFilter(text: string | null): Filter | undefined {
  if (text === null) return undefined;
  const filter: Filter = {};
  for (const part of text.trim().split(/\s+and\s+/i)) {
    const m = /^(eventTimestamp|resourceUri)\s+(ge|le|eq)\s+'([^']*)'$/i.exec(part.trim());
    if (m === null) return undefined;
    const [, field, op, value] = m;
    if (lower(field) === "resourceuri" && lower(op) === "eq") filter.resourceUri = lower(value);
    else if (lower(field) === "eventtimestamp" && lower(op) !== "eq" && Number.isFinite(Date.parse(value)))
      filter[lower(op) === "ge" ? "from" : "to"] = Date.parse(value);
    else return undefined;
  }
  return filter.from === undefined ? undefined : filter;
}

/** Matches the Activity Log list path. */
export function matchActivityLog(r: ArmRequest): boolean {
  return PATH.test(r.lpath);
}

/** Lists Activity Log events of a subscription. */
export function handleActivityLog(r: ArmRequest): Outcome {
  const subscriptionId = PATH.exec(r.lpath)?.[1] ?? "";
  const scope = `/subscriptions/${subscriptionId}`;
  if (r.method !== "GET") return fail(r, 405, "MethodNotAllowed", `The method '${r.method}' is not allowed.`);
  if (!authorize(r, READ, scope)) return deny(r, READ, scope);
  const filter = parseFilter(r.query.get("$filter"));
  if (filter === undefined)
    return fail(
      r,
      400,
      "BadRequest",
      "The $filter must give eventTimestamp ge '…' (and optionally le '…' and resourceUri eq '…').",
    );
  const events = r.state.estate.activity.filter((e) => {
    const t = Date.parse(e.eventTimestamp);
    if (!lower(e.resourceId).startsWith(`${scope}/`)) return false;
    if (filter.resourceUri !== undefined && lower(e.resourceId) !== filter.resourceUri) return false;
    return t >= (filter.from ?? 0) && t <= (filter.to ?? Number.MAX_SAFE_INTEGER);
  });
  return send(
    r,
    200,
    page(
      r,
      events.reverse().map((e) => eventJson(e, subscriptionId)),
    ),
  );
}
