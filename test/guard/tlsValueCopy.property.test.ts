// The sealed TLS settings' values share nothing mutable with the caller's: whatever Buffers, typed arrays, strings,
// arrays and objects go in (as deep as Node's TLS reads them), the copy holds no byte view over the input's memory or
// a shared pool, and rewriting or pushing into the input afterwards leaves the copy as it was.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tlsValueCopy } from "../../packages/acs-baseline/src/guard/tlsValueCopy.js";

const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => (a.length % 2 === 0 ? Buffer.from(a) : a));
const leaf = fc.oneof(bytes, fc.string({ maxLength: 12 }), fc.integer());
// The shapes Node's TLS reads: a value (`ca: Buffer`), an array of values or of `{ pem | buf, passphrase }` objects, or
// one such object.
const entry = fc.dictionary(fc.constantFrom("pem", "buf", "passphrase"), leaf, { maxKeys: 3 });
const value = fc.oneof(leaf, entry, fc.array(fc.oneof(leaf, entry), { maxLength: 4 }));

/** Every byte view reachable from `v`, with its path. */
function views(v: unknown, out: ArrayBufferView[] = []): ArrayBufferView[] {
  if (ArrayBuffer.isView(v)) out.push(v);
  else if (typeof v === "object" && v !== null) for (const child of Object.values(v)) views(child, out);
  return out;
}

const render = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    ArrayBuffer.isView(x) ? `bytes:${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString("hex")}` : x,
  );

describe("tlsValueCopy", () => {
  it("shares no bytes with its input, and changes to the input do not reach it", () => {
    fc.assert(
      fc.property(value, (input) => {
        const copy = tlsValueCopy(input);
        const before = render(copy);
        // Each copied view has memory of its own: not the input's, and not a slice of a shared pool.
        for (const view of views(copy)) {
          expect(views(input).some((v) => v.buffer === view.buffer)).toBe(false);
          expect(view.byteLength).toBe(view.buffer.byteLength);
        }
        for (const view of views(input)) new Uint8Array(view.buffer, view.byteOffset, view.byteLength).fill(0x41);
        if (Array.isArray(input)) input.push("added");
        expect(render(copy)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it("turns ASCII bytes (PEM) into a string and keeps other bytes as a copied Buffer", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(tlsValueCopy(Buffer.from(pem))).toBe(pem);
    const der = Buffer.from([0x30, 0x82, 0x01, 0xff]);
    const copied = tlsValueCopy([der]) as Buffer[];
    expect(Object.isFrozen(copied)).toBe(true);
    expect(copied[0]).toEqual(der);
    expect(copied[0]).not.toBe(der);
  });
});
