/**
 * What the pipeline gets back for a checked copy the guard sent: the HTTP client answers with the request it sent (the
 * copy, whose agent is the guard's private carrier) and, for a streamed response, Node's own response stream (whose
 * `req` is the `ClientRequest`, whose `agent` is the carrier again). A policy holding either could reach the
 * carrier's pool and queue (hand a queued request a socket of its own) or Node's request itself. So the response and
 * the error name the caller's request, and a streamed body is a stream of the guard's own.
 */
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { Readable } from "node:stream";
import { ownStream } from "./sealedBody.js";

/** `holder.request` (a response, an error, an error's response) set to `request` where it names `sent`. */
function renamed(holder: unknown, request: PipelineRequest, sent: PipelineRequest): void {
  if (typeof holder !== "object" || holder === null) return;
  const h = holder as { request?: unknown; response?: unknown };
  try {
    if (h.request === sent) h.request = request;
    const response = h.response as { request?: unknown } | undefined;
    if (typeof response === "object" && response !== null && response.request === sent) response.request = request;
  } catch {
    // a frozen error keeps its request: the carrier's options and methods are pinned too
  }
}

/**
 * `pending` (the HTTP client's answer for `sent`) as the pipeline may see it: naming the caller's `request`, a
 * streamed body read into a stream of the guard's own; an error renamed the same way, then passed to `mapError`.
 * One reaction per request, as the `.catch` it replaces.
 */
export function handBack(
  pending: Promise<PipelineResponse>,
  request: PipelineRequest,
  sent: PipelineRequest,
  mapError: (error: unknown) => unknown = (error) => error,
): Promise<PipelineResponse> {
  return pending.then(
    (response) => {
      if (response.request === sent) response.request = request;
      const body = response.readableStreamBody;
      // (Node's IncomingMessage, or the decompressing or progress stream piped from it.)
      if (body !== undefined) response.readableStreamBody = body instanceof Readable ? ownStream(body) : undefined;
      return response;
    },
    (error: unknown) => {
      renamed(error, request, sent);
      throw mapError(error);
    },
  );
}
