/** The `no-key-auth` messages, shared by the ESLint rule and `acs-baseline scan` so both say the same thing. */

const FIX = "Use AcsClientFactory from acs-baseline (Microsoft Entra ID service principal) instead";
const FIX_LOWER = `${FIX.charAt(0).toLowerCase()}${FIX.slice(1)}`;

/** Message templates by message id (ESLint's `{{name}}` placeholders). */
export const KEY_AUTH_MESSAGES = {
  connectionString: `IM-1: {{client}} is constructed with a connection string, which authenticates with the resource's access key. ${FIX}.`,
  keyCredential: `IM-1: {{client}} is constructed with an access-key credential. ${FIX}.`,
  keyCredentialCreated: `IM-1: {{name}} creates an access-key credential in a file that uses Azure Communication Services. ${FIX}.`,
  keyHelper: `IM-1: {{name}} exists for access-key authentication to Azure Communication Services. ${FIX}.`,
  connectionStringTemplate: `IM-8: this {{what}} is an ACS connection-string template with a placeholder key ({{masked}}): it invites a real key into the code. Configure the endpoint only and ${FIX_LOWER}.`,
  connectionStringLiteral: `IM-1: this {{what}} is an ACS connection string with an access key ({{masked}}). Remove it, rotate the key, disable local auth, and ${FIX_LOWER}.`,
} as const;

/** A message id of `no-key-auth`. */
export type KeyAuthMessageId = keyof typeof KEY_AUTH_MESSAGES;

/** The message for `id` with its placeholders filled in, as ESLint fills them. */
export function formatKeyAuthMessage(id: KeyAuthMessageId, data: Readonly<Record<string, string>>): string {
  return KEY_AUTH_MESSAGES[id].replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, name: string) => data[name] ?? whole);
}
