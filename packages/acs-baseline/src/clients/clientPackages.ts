/**
 * The ACS client packages, loaded when the first client of their kind is created and not at import: an application
 * that only sends SMS never loads `@azure/communication-identity`, and importing acs-baseline loads neither.
 * Synchronous (`create*Client` is), through Node's `require` for this module's dialect (both packages are CommonJS,
 * so the class is the one an application gets from its own `import`).
 */
import type { CommunicationIdentityClient } from "@azure/communication-identity";
import type { SmsClient } from "@azure/communication-sms";
import { nodeRequire } from "../nodeRequire.js";

/** The client packages the factory's own `create*Client` methods load. */
type ClientPackage = "@azure/communication-sms" | "@azure/communication-identity";

function load(name: ClientPackage): unknown {
  try {
    return nodeRequire(name);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // Only the package itself missing: a dependency missing inside it keeps its own error.
    if (code === "MODULE_NOT_FOUND" && typeof message === "string" && message.includes(`'${name}'`)) {
      throw new Error(
        `This client needs the peer dependency ${name}, which is not installed. Install it: npm install ${name}`,
      );
    }
    throw error;
  }
}

/** `SmsClient` from `@azure/communication-sms`, loaded on the first call. */
export function smsClientClass(): typeof SmsClient {
  return (load("@azure/communication-sms") as { SmsClient: typeof SmsClient }).SmsClient;
}

/** `CommunicationIdentityClient` from `@azure/communication-identity`, loaded on the first call. */
export function identityClientClass(): typeof CommunicationIdentityClient {
  return (load("@azure/communication-identity") as { CommunicationIdentityClient: typeof CommunicationIdentityClient })
    .CommunicationIdentityClient;
}
