/**
 * A request body that never meets the HTTP client's request. Node's HTTP client sends a stream body with
 * `body.pipe(clientRequest)`, after every check and before the headers are written, and calls an upload-progress
 * callback with its own stream as `this`: a policy's stream (or one a body factory returns) or callback would get the
 * `ClientRequest` and could set its Authorization header or path. The copy the guard sends carries a stream of its
 * own, read from the caller's with Node's own iterator, bytes copied into a Buffer of its own, and a callback that sees
 * only the progress.
 */
import type { PipelineRequest } from "@azure/core-rest-pipeline";
import { Readable } from "node:stream";
import { types } from "node:util";
import { BaselineViolationError } from "../errors.js";

type Body = PipelineRequest["body"];
type Progress = NonNullable<PipelineRequest["onUploadProgress"]>;

/**
 * A stream of the guard's own with the bytes of `stream`, read with `Readable.prototype`'s async iterator: nothing the
 * caller's stream carries of its own (`pipe`, an iterator) is handed the guard's stream or the HTTP client's request.
 */
function ownStream(stream: Readable): Readable {
  const iterate = Readable.prototype[Symbol.asyncIterator] as (this: Readable) => AsyncIterator<unknown>;
  const chunks: AsyncIterable<unknown> = { [Symbol.asyncIterator]: () => iterate.call(stream) };
  return Readable.from(chunks, { objectMode: false });
}

/** Thrown for a body the guard cannot send without code of the caller's reaching the wire. */
export class UnsealableBody extends Error {}

function sealedValue(body: unknown): unknown {
  if (body === undefined || body === null || typeof body === "string") return body;
  // Bytes are copied into a Buffer of the guard's own, told by their internal slots: the caller's object (a Buffer, a
  // web stream) could carry a `pipe` of its own, which the HTTP client would call with its request. A web stream is
  // brand-checked by Readable.fromWeb; a look-alike of any kind throws, and the request is refused.
  if (types.isUint8Array(body)) return Buffer.from(new Uint8Array(body).buffer);
  if (types.isArrayBuffer(body)) return Buffer.from(new Uint8Array(body).slice().buffer);
  if (typeof ReadableStream === "function" && body instanceof ReadableStream) {
    return Readable.fromWeb(body);
  }
  if (body instanceof Readable) return ownStream(body);
  // The HTTP client would call the Blob's own `stream()`: its bytes, read with Blob's own method, in a stream of ours.
  if (typeof Blob === "function" && body instanceof Blob) {
    const web: Parameters<typeof Readable.fromWeb>[0] = Blob.prototype.stream.call(body);
    return Readable.fromWeb(web);
  }
  throw new UnsealableBody("a body of an unknown kind");
}

/**
 * `body` as the guard sends it: text as it is, bytes copied into a Buffer of the guard's own, a Node or web stream or
 * a Blob (directly, or returned by a body factory) read into a stream of the guard's own.
 * @throws UnsealableBody for any other kind of body (an object whose `pipe` or reads the guard cannot fix)
 */
export function sealedBody(body: Body): Body {
  if (typeof body === "function") {
    const factory = body as () => unknown;
    return (() => {
      const produced = factory();
      try {
        return sealedValue(produced);
      } catch {
        throw new BaselineViolationError(
          "KEY_AUTH_BLOCKED",
          "The request guard blocked a request because its body factory returned a body of a kind the guard cannot send as checked (text, bytes, a stream or a Blob).",
        );
      }
    }) as Body;
  }
  return sealedValue(body) as Body;
}

/** An upload-progress callback called with no `this` and a fresh progress object (never the HTTP client's stream). */
export function sealedProgress(callback: Progress | undefined): Progress | undefined {
  if (typeof callback !== "function") return undefined;
  return (progress) => {
    callback.call(undefined, { loadedBytes: progress.loadedBytes });
  };
}
