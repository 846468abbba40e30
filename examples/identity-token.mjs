// Create an ACS identity and issue it a user access token for chat and VoIP.
import { connect } from "./lib/connect.mjs";

const { factory, target, close } = await connect();
try {
  const identity = factory.createIdentityClient();
  const { user, token, expiresOn } = await identity.createUserAndToken(["chat", "voip"]);
  console.log(`Created ${user.communicationUserId} via ${target}`);
  console.log(`Issued a user token (${token.length} characters, not printed) valid until ${expiresOn.toISOString()}`);
  await identity.revokeTokens(user);
  await identity.deleteUser(user);
  console.log("Revoked its tokens and deleted it again");
} finally {
  await close();
}
