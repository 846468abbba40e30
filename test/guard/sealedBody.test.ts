// The body the guard sends: nothing of the caller's object that the HTTP client would call (a `pipe` of its own) is
// carried over; bytes keep their value; a look-alike of a known kind is refused.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { sealedBody, UnsealableBody } from "../../packages/acs-baseline/src/guard/sealedBody.js";

const hostile = { pipe: () => undefined };

describe("sealedBody", () => {
  it("text is sent as it is; bytes are copied into a Buffer of the guard's own, without the caller's own members", () => {
    expect(sealedBody("{}")).toBe("{}");
    const buffer = Object.assign(Buffer.from("abc"), hostile);
    const sent = sealedBody(buffer) as Buffer;
    expect(sent).not.toBe(buffer);
    expect(Object.prototype.hasOwnProperty.call(sent, "pipe")).toBe(false);
    expect(sent.toString()).toBe("abc");
    buffer.write("xyz");
    expect(sent.toString()).toBe("abc"); // a copy: later writes to the caller's bytes do not reach it
    const arrayBuffer = Object.assign(new Uint8Array([1, 2, 3]).buffer, hostile);
    expect([...(sealedBody(arrayBuffer) as Buffer)]).toEqual([1, 2, 3]);
  });

  it("streams (Node, web, Blob) become a stream of the guard's own; a factory's result too", async () => {
    const node = Object.assign(Readable.from([Buffer.from("n")]), hostile);
    const web = Object.assign(new Blob(["w"]).stream(), hostile);
    const blob = new Blob(["b"]);
    for (const [body, text] of [
      [node, "n"],
      [web, "w"],
      [blob, "b"],
    ] as const) {
      const sent = sealedBody(body as never) as Readable;
      expect(sent).toBeInstanceOf(Readable);
      expect(Object.prototype.hasOwnProperty.call(sent, "pipe")).toBe(false);
      const chunks: Buffer[] = [];
      for await (const chunk of sent) chunks.push(Buffer.from(chunk as Uint8Array));
      expect(Buffer.concat(chunks).toString()).toBe(text);
    }
    const factory = sealedBody((() => Object.assign(Buffer.from("f"), hostile)) as never) as () => unknown;
    const produced = factory() as Buffer;
    expect(Object.prototype.hasOwnProperty.call(produced, "pipe")).toBe(false);
    expect(produced.toString()).toBe("f");
  });

  it("a look-alike of a known kind (an object with ArrayBuffer's prototype, a plain object with pipe) is refused", () => {
    expect(() => sealedBody(Object.assign(Object.create(ArrayBuffer.prototype) as object, hostile) as never)).toThrow(
      UnsealableBody,
    );
    expect(() => sealedBody(hostile as never)).toThrow(UnsealableBody);
    expect(() => sealedBody(Object.create(ReadableStream.prototype) as never)).toThrow();
    // From a body factory (it runs inside the HTTP client): the refusal has its code too.
    const factory = sealedBody((() => hostile) as never) as () => unknown;
    expect(factory).toThrow(expect.objectContaining({ code: "KEY_AUTH_BLOCKED" }));
  });
});
