/**
 * The `MS-CV` header real ACS data-plane responses carry (SMS, Identity, Chat, …; the Azure SDK for JS recordings
 * show `MS-CV: WqckibhS6UO2M6ObEqmrZw.0` and no `x-ms-request-id` / `request-id`): a correlation vector, 16 random
 * bytes in base64 cut to 22 characters (`+` and `/` included), then `.0`.
 */
import { randomFillSync } from "node:crypto";

/** Name of the header, as ACS writes it. */
export const CORRELATION_VECTOR_HEADER = "MS-CV";

const BASE_BYTES = 16;
/** Random bytes drawn at a time: one `randomFillSync` per 256 responses. */
const pool = Buffer.alloc(BASE_BYTES * 256);
let offset = pool.length;

/** A fresh correlation vector (`<22 base64 characters>.0`), cheap enough for every response. */
export function correlationVector(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const base = pool.toString("base64", offset, offset + BASE_BYTES);
  offset += BASE_BYTES;
  return `${base.slice(0, 22)}.0`;
}
