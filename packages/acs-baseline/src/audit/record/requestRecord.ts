/**
 * The fast path for successful `request` records: the same bytes as {@link serializeRecord} gives for the same
 * event, with the static members taken from a template built once per context and client.
 */
import type { BaselineControlId } from "../../errors.js";
import { AUDIT_SCHEMA } from "./canonical.js";
import type { ChainPosition, RecordContext } from "./serializeRecord.js";
import {
  acsFragment,
  baselineFragment,
  eventFragment,
  httpFragment,
  minimalRecord,
  traceIds,
} from "./serializeRecord.js";

/** Controls a `request` record is evidence for: Entra-authenticated call (IM-1) and its log (LT-4). */
export const REQUEST_CONTROLS: readonly BaselineControlId[] = Object.freeze(["IM-1", "LT-4"] as BaselineControlId[]);

/**
 * A successful `request` record as the audit policy hands it over: primitives only, so the recorder keeps it as it
 * is (nothing to snapshot) and serialises it with {@link serializeRequestRecord}.
 */
export interface RequestRecordInput {
  client: string;
  method: string;
  path: string;
  status: number;
  requestId: string | undefined;
  correlationId: string | undefined;
  durationMs: number;
  /** W3C trace id (32 lowercase hex) and span id (16), when the request ran inside a trace. */
  traceId?: string;
  spanId?: string;
}

/** The parts of a `request` record that only change with the context or the client, built once per pair. */
interface RequestTemplate {
  client: string;
  /** `{"acs":…,"baseline":…,"event":…,` */
  head: string;
  /** `"principal":…,"schema":"…",` */
  tail: string;
}
const requestTemplates = new WeakMap<RecordContext, RequestTemplate>();

function requestTemplate(ctx: RecordContext, client: string): RequestTemplate {
  let t = requestTemplates.get(ctx);
  if (t === undefined || t.client !== client) {
    t = {
      client,
      head: `{${acsFragment(client, ctx.endpoint)}${baselineFragment(REQUEST_CONTROLS)}${eventFragment("request", "success", undefined)}`,
      tail: `${ctx.principalJson}"schema":"${AUDIT_SCHEMA}",`,
    };
    requestTemplates.set(ctx, t);
  }
  return t;
}

/**
 * Serialises a successful `request` record: byte for byte what {@link serializeRecord} gives for the same event
 * (`action: "request"`, `outcome: "success"`, {@link REQUEST_CONTROLS}, level `info`), with the static members
 * taken from a template built once per context and client.
 */
export function serializeRequestRecord(
  r: RequestRecordInput,
  ctx: RecordContext,
  time: string,
  chain: ChainPosition | undefined,
): string {
  let t: RequestTemplate;
  let http: string;
  try {
    t = requestTemplate(ctx, r.client);
    http = httpFragment(r);
  } catch {
    return minimalRecord("request", "success", time, "info", chain);
  }
  if (r.traceId !== undefined) {
    const ids = traceIds(r.traceId, r.spanId);
    if (ids !== undefined) {
      const span = `"span":{"id":"${ids.spanId}"},`;
      const trace = `,"trace":{"id":"${ids.traceId}"}`;
      return chain === undefined
        ? `${t.head}${http}"level":"info",${t.tail}${span}"time":"${time}"${trace}}`
        : `${t.head}${http}"level":"info","prevHash":"${chain.prevHash}",${t.tail}"seq":${chain.seq},${span}"time":"${time}"${trace}}`;
    }
  }
  return chain === undefined
    ? `${t.head}${http}"level":"info",${t.tail}"time":"${time}"}`
    : `${t.head}${http}"level":"info","prevHash":"${chain.prevHash}",${t.tail}"seq":${chain.seq},"time":"${time}"}`;
}
