/** IM-1: no string anywhere in the options may be an ACS connection string. */
import { BaselineViolationError } from "../errors.js";
import { isConnectionStringShaped } from "./connectionString.js";

const MAX_DEPTH = 6;

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/** The dotted name of the first string option shaped like an ACS connection string, or undefined. */
export function findConnectionStringOption(options: unknown, prefix = ""): string | undefined {
  const seen = new Set<object>();
  const walk = (value: unknown, path: string, depth: number): string | undefined => {
    if (typeof value === "string") return isConnectionStringShaped(value) ? path || "(value)" : undefined;
    if (typeof value !== "object" || value === null || depth > MAX_DEPTH || seen.has(value) || !isPlain(value)) return undefined;
    seen.add(value);
    for (const key of Object.keys(value)) {
      let child: unknown;
      try {
        child = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      const found = walk(child, path ? `${path}.${key}` : key, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(options, prefix, 0);
}

/**
 * Refuses options that contain a connection string in any string value.
 * @throws BaselineViolationError CONNECTION_STRING_REFUSED
 */
export function assertNoConnectionString(options: unknown, prefix = ""): void {
  const where = findConnectionStringOption(options, prefix);
  if (where !== undefined) {
    throw new BaselineViolationError(
      "CONNECTION_STRING_REFUSED",
      `The option "${where}" holds an ACS connection string (endpoint=…;accesskey=…). Connection strings carry an access key and are refused: use AcsClientFactory with Microsoft Entra ID (tenantId, clientId and a certificate), set "endpoint" to the https URL only, and disable local auth on the resource.`,
    );
  }
}
