/**
 * IM-1: no string anywhere in the options may be an ACS connection string — also where a plain walk of enumerable
 * keys does not look: boxed `String`s, `Map` keys and values, `Set`s, class instances, non-enumerable and Symbol
 * keys, any depth, URL-encoded text and Buffers; property names are checked like values. The refusal names the
 * option's path, never its value, and shows only identifier-shaped property names.
 */
import { BaselineViolationError } from "../errors.js";
import { scrubText } from "../text/scrub.js";
import { holdsConnectionString } from "../text/connectionString.js";

/** Deepest nesting walked (far beyond any real option object; bounds the work for hostile ones). */
const MAX_DEPTH = 64;
/** Most values walked in one option tree (an https.Agent or a logger are a few hundred). */
const MAX_NODES = 20_000;
/** Longest binary value decoded and checked. */
const MAX_BINARY_BYTES = 1 << 20;

/** Longest property name shown as written in a refusal's path; longer names are shown as a placeholder. */
const MAX_SHOWN_NAME = 48;
/** What a property name must look like to be shown as written: an ordinary identifier or array index. */
const SHOWN_NAME = /^[A-Za-z0-9_$-]+$/;

/**
 * A property name as the refusal's path shows it. The path is caller text that ends up in an error message, the
 * audit log and whatever the caller logs, so a name is shown only when it is short, identifier-shaped and unchanged by
 * the audit log's redaction ({@link scrubText}); anything else (a key, a connection string, a long or unusual name)
 * is shown as `<key N>` (its position among the object's own keys) or `[symbol]`.
 */
function shownName(key: string | symbol, position: number): string {
  const text = typeof key === "symbol" ? (key.description ?? "") : key;
  const safe = text.length > 0 && text.length <= MAX_SHOWN_NAME && SHOWN_NAME.test(text) && scrubText(text) === text;
  if (typeof key === "symbol") return safe ? `[${text}]` : "[symbol]";
  return safe ? text : `<key ${position}>`;
}

/** One step of the path to a value: a property (name and position among the own keys) or a fixed label. */
type Step = { key: string | symbol; position: number } | { label: string };

/**
 * The dotted path of the first option value, or property name, that holds an ACS connection string, or undefined.
 * Property names that could carry a secret are shown as placeholders (see {@link shownName}).
 */
export function findConnectionStringOption(options: unknown, prefix = ""): string | undefined {
  const seen = new Set<object>();
  let nodes = 0;
  const trail: Step[] = [];
  // The path is rendered only for a finding, so the walk itself never looks at names beyond the detector.
  const render = (): string => {
    const parts = trail.map((step) => ("label" in step ? step.label : shownName(step.key, step.position)));
    const joined = [prefix, ...parts].filter((part) => part.length > 0).join(".");
    return joined.length > 0 ? joined : "(value)";
  };
  const within = <T>(step: Step, inner: () => T): T => {
    trail.push(step);
    try {
      return inner();
    } finally {
      trail.pop();
    }
  };
  const walk = (value: unknown, depth: number): string | undefined => {
    if (typeof value === "string") return holdsConnectionString(value) ? render() : undefined;
    if (typeof value !== "object" || value === null) return undefined;
    if (depth > MAX_DEPTH || nodes++ > MAX_NODES || seen.has(value)) return undefined;
    seen.add(value);
    if (value instanceof String) return holdsConnectionString(value.valueOf()) ? render() : undefined;
    if (ArrayBuffer.isView(value)) {
      if (value.byteLength > MAX_BINARY_BYTES) return undefined;
      return holdsConnectionString(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1"))
        ? render()
        : undefined;
    }
    if (value instanceof Map) {
      let i = 0;
      for (const [k, v] of value) {
        const found =
          within({ label: `<key ${i}>` }, () => walk(k, depth + 1)) ??
          within({ label: `<value ${i}>` }, () => walk(v, depth + 1));
        if (found !== undefined) return found;
        i++;
      }
    } else if (value instanceof Set) {
      let i = 0;
      for (const v of value) {
        const found = within({ label: `<item ${i++}>` }, () => walk(v, depth + 1));
        if (found !== undefined) return found;
      }
    }
    // Every own key, enumerable or not, string or Symbol, of plain objects and class instances alike.
    let keys: (string | symbol)[];
    try {
      keys = Reflect.ownKeys(value);
    } catch {
      return undefined;
    }
    for (let position = 0; position < keys.length; position++) {
      const key = keys[position];
      // A connection string as a property NAME is refused like one in a value (it is as readable in a dump).
      if (typeof key === "string" && holdsConnectionString(key)) return within({ key, position }, render);
      let child: unknown;
      try {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor === undefined) continue;
        child = "value" in descriptor ? descriptor.value : descriptor.get?.call(value);
      } catch {
        continue;
      }
      const found = within({ key, position }, () => walk(child, depth + 1));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(options, 0);
}

/**
 * Refuses options that contain a connection string in any value.
 * @throws BaselineViolationError CONNECTION_STRING_REFUSED
 */
export function assertNoConnectionString(options: unknown, prefix = ""): void {
  const found = findConnectionStringOption(options, prefix);
  if (found !== undefined) {
    // Every name in the path is identifier-shaped already; the cut and the scrub are a second line of defence.
    const where = scrubText(found.length > 200 ? `${found.slice(0, 199)}…` : found);
    throw new BaselineViolationError(
      "CONNECTION_STRING_REFUSED",
      `The option "${where}" holds an ACS connection string (endpoint=…;accesskey=…). Connection strings carry an access key and are refused: use AcsClientFactory with Microsoft Entra ID (tenantId, clientId and a certificate), set "endpoint" to the https URL only, and disable local auth on the resource.`,
    );
  }
}
