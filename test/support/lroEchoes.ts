/**
 * What the long-running-operation scrub tests start an operation with, and look for in what comes back: a full phone
 * number and an email whose subject and text a hostile service echoes.
 */
export const PHONE = "+14255550199";
export const SUBJECT = "Your reset code is 839201 for Jerry";
export const TEXT = "Tom & Jerry's plain text body, do not log";
export const EMAIL = {
  senderAddress: "noreply@contoso.example",
  content: { subject: SUBJECT, plainText: TEXT },
  recipients: { to: [{ address: "someone@contoso.example" }] },
};
