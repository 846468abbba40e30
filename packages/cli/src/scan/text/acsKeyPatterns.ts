/**
 * The ACS key shapes as regular-expression sources, shared by the scanner and the portable rules (secretlint rule,
 * gitleaks TOML). Every source here is RE2-compatible (no look-around, no back-references) so gitleaks can use it.
 */

/**
 * An ACS identifiable key, Microsoft security-utilities SEC101/204 (AzureCommunicationServicesLegacyCommonAnnotated-
 * SecurityKey): 52 base62 characters, `JQQJ99`, one base62 character, one of `A-L`, 12 base62 characters (platform
 * data), `AAAA` (provider data) + `AZCS` (the ACS provider signature), 4 base62 characters, and an optional `XX==`.
 */
export const ACS_IDENTIFIABLE_KEY = String.raw`[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9][A-L][A-Za-z0-9]{12}AAAAAZCS[A-Za-z0-9]{4}(?:[A-Za-z0-9]{2}==)?`;

/** A legacy ACS access key: 64 random bytes in base64 (86 characters and `==`). Only reported next to ACS context. */
export const ACS_LEGACY_KEY = String.raw`[A-Za-z0-9+/]{86}==`;

/** ACS context that makes an 88-character base64 string an ACS key: an access-key name or an ACS host. */
export const ACS_KEY_CONTEXT = String.raw`(?i:access[_-]?key|communication\.azure\.com)`;

/** On the key's own line, these name another service's 88-character key (Storage, Cosmos DB, …): not ACS. */
export const ACS_LEGACY_KEY_OTHER_SERVICE = String.raw`(?i:storage|account_?key|sharedaccess|cosmos|documents\.azure|core\.windows\.net|masterkey|amazonaws)`;

/** An ACS connection string (endpoint first or access key first), for the portable rules. */
export const ACS_CONNECTION_STRING =
  String.raw`(?i:endpoint\s*=\s*https://[^;\s"'` +
  "`" +
  String.raw`]+;\s*accesskey\s*=\s*[A-Za-z0-9+/]{40,}={0,2}|accesskey\s*=\s*[A-Za-z0-9+/]{40,}={0,2}\s*;\s*endpoint\s*=\s*https://[^;\s"'` +
  "`" +
  String.raw`]+)`;

/**
 * Hand-built ACS request signing: the HMAC-SHA256 authorization scheme with SignedHeaders (not App Configuration's
 * `Credential=` form), followed by the header list or by code that fills it in (`${`, `{`, a quote, `+`).
 */
export const ACS_HMAC_SIGNING = String.raw`(?i:HMAC-SHA256\s+SignedHeaders\s*=\s*(?:x-ms-date|host|[$%{"'+]))`;

/** JavaScript form of an RE2 source: `(?i:…)` groups become case-insensitive by lowering both sides is not possible, so expand them. */
export function jsRegExp(source: string, flags = "g"): RegExp {
  // JavaScript has no inline (?i:…) before ES2025 in Node 20: use the i flag when the whole source is one such group.
  if (source.startsWith("(?i:") && source.endsWith(")") && balancedGroup(source))
    return new RegExp(source.slice(4, -1), `${flags}i`);
  return new RegExp(source, flags);
}

function balancedGroup(source: string): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "(") depth++;
    if (c === ")" && --depth === 0 && i !== source.length - 1) return false;
  }
  return depth === 0;
}
