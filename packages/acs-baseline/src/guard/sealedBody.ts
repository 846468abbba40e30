/**
 * A streamed request body that never meets the HTTP client's request. Node's HTTP client sends a stream body with
 * `body.pipe(clientRequest)`, after every check and before the headers are written: a stream of a policy's (or one a
 * body factory returns) would get the `ClientRequest` itself and could set its Authorization header or path. The
 * copy the guard sends carries a stream of its own instead, fed from the caller's.
 */
import type { PipelineRequest } from "@azure/core-rest-pipeline";
import { PassThrough, Readable } from "node:stream";

type Body = PipelineRequest["body"];

/** A Node stream as the HTTP client tells one (it pipes anything with a `pipe` method). */
function isNodeStream(body: unknown): body is NodeJS.ReadableStream {
  return typeof body === "object" && body !== null && typeof (body as { pipe?: unknown }).pipe === "function";
}

/** Whether `body` is sent through code of the caller's at the wire (a stream, or a factory of one). */
export function needsSealedBody(body: Body): boolean {
  return typeof body === "function" || isNodeStream(body);
}

/** A stream of the guard's own with the bytes of `stream`: the caller's code only ever sees the guard's stream. */
function ownStream(stream: NodeJS.ReadableStream): Readable {
  if (typeof (stream as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function") {
    return Readable.from(stream as AsyncIterable<unknown>, { objectMode: false });
  }
  const own = new PassThrough();
  stream.on("error", (error: Error) => own.destroy(error));
  stream.pipe(own);
  return own;
}

/** `body` with every Node stream in it (directly, or returned by a body factory) fed through a stream of the guard's. */
export function sealedBody(body: Body): Body {
  if (typeof body === "function") {
    const factory = body;
    return (() => {
      const produced: unknown = factory();
      return isNodeStream(produced) ? ownStream(produced) : produced;
    }) as Body;
  }
  return isNodeStream(body) ? ownStream(body) : body;
}
