import { randomBytes } from "node:crypto";
import { looksLikeKey } from "../../packages/acs-baseline/src/text/connectionString.js";

/**
 * A random access key (64 bytes, base64) with the mix of digits and capitals every rule that reads keys out of cut
 * text asks for: about 1 random key in 300 lacks it, and would make a test that cuts it fail by chance.
 */
export function randomAccessKey(bytes = 64): string {
  for (;;) {
    const key = randomBytes(bytes).toString("base64");
    if (looksLikeKey(key)) return key;
  }
}
