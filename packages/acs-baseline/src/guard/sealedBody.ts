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
/** The guard's refusal handler (the audit log's `refuse` record), called before a refusal is thrown. */
type Refused = ((error: BaselineViolationError, request: PipelineRequest) => void) | undefined;

/**
 * A stream of the guard's own with the bytes of `stream`, read with `Readable.prototype`'s async iterator: nothing the
 * caller's stream carries of its own (`pipe`, an iterator) is handed the guard's stream or the HTTP client's request.
 */
export function ownStream(stream: Readable): Readable {
  const iterate = Readable.prototype[Symbol.asyncIterator] as (this: Readable) => AsyncIterator<unknown>;
  const chunks: AsyncIterable<unknown> = { [Symbol.asyncIterator]: () => iterate.call(stream) };
  return Readable.from(chunks, { objectMode: false });
}

/** Thrown for a body the guard cannot send without code of the caller's reaching the wire. */
export class UnsealableBody extends Error {}

// Web streams are read with the methods of the streams module as it was loaded (a subclass's own `getReader` or a
// later change to the prototype is never called), like Readable.fromWeb does.
type WebReader = ReadableStreamDefaultReader<unknown>;
const webGetReader = Reflect.get(ReadableStream.prototype, "getReader") as (this: ReadableStream) => WebReader;
const webRead = Reflect.get(ReadableStreamDefaultReader.prototype, "read") as (
  this: WebReader,
) => ReturnType<WebReader["read"]>;
const webCancel = Reflect.get(ReadableStreamDefaultReader.prototype, "cancel") as (this: WebReader) => Promise<void>;

/** A view's `buffer`, `byteOffset` and `byteLength` getters (of TypedArray or DataView), as the module was loaded. */
function viewGetters(proto: object): ((this: ArrayBufferView) => unknown)[] {
  return ["buffer", "byteOffset", "byteLength"].map(
    (name) =>
      Reflect.get(Object.getOwnPropertyDescriptor(proto, name) ?? {}, "get") as (this: ArrayBufferView) => unknown,
  );
}
const typedArrayView = viewGetters(Object.getPrototypeOf(Uint8Array.prototype) as object);
const dataView = viewGetters(DataView.prototype);

/**
 * A chunk of a web stream as the guard sends it: text, or the bytes of any ArrayBuffer view (what Readable.fromWeb
 * takes) copied into a Buffer of the guard's own, read through the view's internal slots.
 */
function ownChunk(value: unknown): string | Buffer {
  if (typeof value === "string") return value;
  if (types.isUint8Array(value)) return Buffer.from(new Uint8Array(value).buffer);
  if (types.isArrayBufferView(value)) {
    const [buffer, offset, length] = (types.isDataView(value) ? dataView : typedArrayView).map((get) =>
      get.call(value),
    ) as [ArrayBuffer, number, number];
    return Buffer.from(new Uint8Array(buffer, offset, length));
  }
  throw new BaselineViolationError(
    "KEY_AUTH_BLOCKED",
    "The request guard blocked a request because its body stream gave a chunk that is neither text nor bytes (an ArrayBuffer view).",
  );
}

/**
 * A stream of the guard's own with the chunks of the web stream `body` (brand-checked: a look-alike throws). Each
 * chunk is checked and copied before Node's stream sees it: Readable.fromWeb pushes the caller's chunk as it is, and a
 * chunk it cannot read (a Proxy of a Buffer) throws inside its promise callbacks, an unhandled rejection that ends the
 * process. Here such a chunk fails the stream (the request rejects with KEY_AUTH_BLOCKED) and is reported.
 */
function ownWebStream(body: ReadableStream, onBlocked: Refused, request: PipelineRequest | undefined): Readable {
  const reader = webGetReader.call(body);
  const stream: Readable = new Readable({
    read() {
      webRead.call(reader).then(
        (result) => {
          try {
            stream.push(result.done ? null : ownChunk(result.value));
          } catch (error) {
            // (Inside a promise callback: nothing may throw out of here, or the rejection goes unhandled.)
            try {
              if (error instanceof BaselineViolationError && request !== undefined) onBlocked?.(error, request);
            } catch {
              // the refusal stands: the stream fails below all the same
            }
            stream.destroy(error instanceof Error ? error : new Error("the body stream could not be read"));
          }
        },
        (error: unknown) => stream.destroy(error instanceof Error ? error : new Error("the body stream failed")),
      );
    },
    destroy(error, callback) {
      // No reason is handed to the caller's stream: the error may come from the HTTP client.
      webCancel.call(reader).then(undefined, () => undefined);
      callback(error);
    },
  });
  return stream;
}

function sealedValue(body: unknown, onBlocked: Refused, request: PipelineRequest | undefined): unknown {
  if (body === undefined || body === null || typeof body === "string") return body;
  // Bytes are copied into a Buffer of the guard's own, told by their internal slots: the caller's object (a Buffer, a
  // web stream) could carry a `pipe` of its own, which the HTTP client would call with its request. A web stream is
  // brand-checked by its reader; a look-alike of any kind throws, and the request is refused.
  if (types.isUint8Array(body)) return Buffer.from(new Uint8Array(body).buffer);
  if (types.isArrayBuffer(body)) return Buffer.from(new Uint8Array(body).slice().buffer);
  if (typeof ReadableStream === "function" && body instanceof ReadableStream) {
    return ownWebStream(body, onBlocked, request);
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
 * @param onBlocked - with `request`: called with a refusal made later, inside the HTTP client (a body factory's result
 * the guard cannot send, a web stream's chunk that is neither text nor bytes), before it is thrown
 * @throws UnsealableBody for any other kind of body (an object whose `pipe` or reads the guard cannot fix)
 */
export function sealedBody(body: Body, onBlocked?: Refused, request?: PipelineRequest): Body {
  if (typeof body === "function") {
    const factory = body as () => unknown;
    return (() => {
      const produced = factory();
      try {
        return sealedValue(produced, onBlocked, request);
      } catch {
        const error = new BaselineViolationError(
          "KEY_AUTH_BLOCKED",
          "The request guard blocked a request because its body factory returned a body of a kind the guard cannot send as checked (text, bytes, a stream or a Blob).",
        );
        if (request !== undefined) onBlocked?.(error, request);
        throw error;
      }
    }) as Body;
  }
  return sealedValue(body, onBlocked, request) as Body;
}

/** An upload-progress callback called with no `this` and a fresh progress object (never the HTTP client's stream). */
export function sealedProgress(callback: Progress | undefined): Progress | undefined {
  if (typeof callback !== "function") return undefined;
  return (progress) => {
    callback.call(undefined, { loadedBytes: progress.loadedBytes });
  };
}
