/**
 * How a finding shows a connection string it found: rebuilt from the endpoint's scheme and host alone, never copied.
 * The masked match (`maskConnectionString`) hides only the `accesskey=` value, and the rest may hold secrets too: a
 * SAS `?sig=…` or user info (`https://SECRET@…`) in the endpoint, another `name=SECRET;` pair before the key. A host
 * is shown only when it is a dotted host name (base64 has no `.`, so no piece of a key or signature is ever shown);
 * otherwise the endpoint is shown as `…`.
 */

/** The endpoint's value after `endpoint=` (quotes and escaped quotes allowed around it), scheme and user info. */
const ENDPOINT =
  /endpoint\s*(?:\\*["']\s*)?=\s*(?:\\*["']\s*)?([a-z][a-z0-9+.-]{0,15}:(?:\\?\/){2})(?:[^\s@/\\?#;"']*@)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(:\d{1,5})?(?=$|[\\/?#;"'\s])/i;

/**
 * `masked` (one connection string as found, its key already masked) as a finding shows it:
 * `endpoint=https://host/;accesskey=***`, or `endpoint=…;accesskey=***` when the endpoint has no plain host name.
 */
export function shownConnectionString(masked: string): string {
  const m = ENDPOINT.exec(masked);
  if (m === null) return "endpoint=…;accesskey=***";
  const scheme = m[1].replace(/\\/g, "").toLowerCase();
  return `endpoint=${scheme}${m[2]}${m[3] ?? ""}/;accesskey=***`;
}
