// A small HTTP service that issues ACS user tokens to its callers: POST /token → { userId, token, expiresOn }.
// Run it and call it with: curl -X POST localhost:PORT/token. With --once it calls itself once and exits (used in CI).
import { createServer } from "node:http";
import { connect } from "./lib/connect.mjs";

const { factory, target, close } = await connect();
const identity = factory.createIdentityClient();

const server = createServer(async (req, res) => {
  if (req.method !== "POST" || req.url !== "/token") {
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "POST /token" }));
    return;
  }
  try {
    // A real service authenticates its caller first and maps them to a stored ACS identity.
    const { user, token, expiresOn } = await identity.createUserAndToken(["chat"]);
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ userId: user.communicationUserId, token, expiresOn }));
  } catch (error) {
    res
      .writeHead(502, { "content-type": "application/json" })
      .end(JSON.stringify({ error: error.code ?? "upstream error" }));
  }
});
await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", resolve));
const { port } = server.address();
console.log(`token service on http://127.0.0.1:${port} (ACS: ${target})`);

const stop = async () => {
  server.close();
  await close();
};
if (process.argv.includes("--once")) {
  const response = await fetch(`http://127.0.0.1:${port}/token`, { method: "POST" });
  const body = await response.json();
  console.log(
    `POST /token → ${response.status}: user ${body.userId}, token of ${body.token.length} characters (not printed), expires ${body.expiresOn}`,
  );
  await stop();
} else {
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
