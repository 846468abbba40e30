/**
 * What each ACS client type needs from the resource: the resource-log category that records its operations, and
 * the management actions the data plane checks for an Entra principal, with the source of each statement.
 */
import type { PostureClientType } from "./types.js";

/** The source for actions Microsoft documents: the SMTP quickstart's custom-role include. */
export const SMTP_ROLE_SOURCE =
  'Microsoft Learn, Azure Communication Services: Send email with SMTP, "Use a custom role to limit permissions granted to the Microsoft Entra Application" (MicrosoftDocs/azure-docs articles/communication-services/quickstarts/email/send-email-smtp/includes/smtp-authentication-customrole.md)';
/** Where the action is not documented. */
export const UNDOCUMENTED_SOURCE =
  "Undocumented: Microsoft's service-principal and managed-identity quickstarts (MicrosoftDocs/azure-docs articles/communication-services/quickstarts/identity/service-principal.md, quickstarts/managed-identity.md) assign a built-in role and do not name the actions the data plane checks for this client";

export interface ClientNeeds {
  /** Resource-log category that records this client's operations, if any. */
  logCategory?: string;
  /** Management actions the data plane is known (or assumed, see `documented`) to check. */
  actions: string[];
  /** True when Microsoft documents these actions for this client. */
  documented: boolean;
  source: string;
}

const READ = "Microsoft.Communication/CommunicationServices/Read";
const WRITE = "Microsoft.Communication/CommunicationServices/Write";

/** Client types and what they need. */
export const CLIENT_NEEDS: Readonly<Record<PostureClientType, ClientNeeds>> = Object.freeze({
  email: {
    logCategory: "EmailSendMailOperational",
    actions: [READ, WRITE, "Microsoft.Communication/EmailServices/write"],
    documented: true,
    source: SMTP_ROLE_SOURCE,
  },
  sms: { logCategory: "SMSOperational", actions: [READ, WRITE], documented: false, source: UNDOCUMENTED_SOURCE },
  identity: { actions: [READ, WRITE], documented: false, source: UNDOCUMENTED_SOURCE },
  chat: { logCategory: "ChatOperational", actions: [READ, WRITE], documented: false, source: UNDOCUMENTED_SOURCE },
  rooms: { logCategory: "RoomsOperational", actions: [READ, WRITE], documented: false, source: UNDOCUMENTED_SOURCE },
  callAutomation: {
    logCategory: "CallAutomationOperational",
    actions: [READ, WRITE],
    documented: false,
    source: UNDOCUMENTED_SOURCE,
  },
  jobRouter: {
    logCategory: "JobRouterOperational",
    actions: [READ, WRITE],
    documented: false,
    source: UNDOCUMENTED_SOURCE,
  },
  phoneNumbers: { actions: [READ, WRITE], documented: false, source: UNDOCUMENTED_SOURCE },
});

/** Every client type, in a stable order. @public */
export const POSTURE_CLIENT_TYPES: readonly PostureClientType[] = Object.freeze(
  Object.keys(CLIENT_NEEDS) as PostureClientType[],
);

/**
 * Parses `sms,identity,…` (CLI `--clients`).
 * @throws TypeError naming the unknown client type.
 * @public
 */
export function parseClientTypes(value: string): PostureClientType[] {
  const out: PostureClientType[] = [];
  for (const raw of value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    const found = POSTURE_CLIENT_TYPES.find((t) => t.toLowerCase() === raw.toLowerCase());
    if (found === undefined)
      throw new TypeError(`Unknown client type "${raw.slice(0, 40)}"; use ${POSTURE_CLIENT_TYPES.join(", ")}.`);
    if (!out.includes(found)) out.push(found);
  }
  return out;
}

/** Client type of an ACS SDK client class name (as the factory names its clients). */
export function clientTypeOfClass(className: string): PostureClientType | undefined {
  const map: Record<string, PostureClientType> = {
    SmsClient: "sms",
    CommunicationIdentityClient: "identity",
    EmailClient: "email",
    ChatClient: "chat",
    ChatThreadClient: "chat",
    RoomsClient: "rooms",
    CallAutomationClient: "callAutomation",
    JobRouterClient: "jobRouter",
    JobRouterAdministrationClient: "jobRouter",
    PhoneNumbersClient: "phoneNumbers",
    SipRoutingClient: "phoneNumbers",
  };
  return map[className];
}
