// 2. Token fetches at cold start: 1,000 concurrent calls spread over an SMS and an identity client.
//    factory: one AcsClientFactory (one shared credential with a shared token cache) → target 1 token request.
//    naive:   code that builds a ClientCertificateCredential per client.
import { SmsClient } from "@azure/communication-sms";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions, startEmulator } from "acs-baseline-emulator";
import { certificateCredential, emulatorTls } from "./lib/rawClient.mjs";

async function burst(sms, identity, calls) {
  const work = [];
  for (let i = 0; i < calls; i++) {
    work.push(
      i % 2 === 0 ? sms.send({ from: "+14255550100", to: ["+14255550123"], message: "m" }) : identity.createUser(),
    );
  }
  const results = await Promise.allSettled(work);
  return results.filter((r) => r.status === "rejected").length;
}

export async function tokenFetches({ calls = 1000 } = {}) {
  const emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
  try {
    const tls = emulatorTls(emu);
    const out = [];

    const app1 = await emu.createTestApplication();
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app1));
    let before = emu.stats.tokenRequests;
    let failed = await burst(factory.createSmsClient(), factory.createIdentityClient(), calls);
    out.push({ name: "factory (one shared credential)", tokenRequests: emu.stats.tokenRequests - before, failed });
    await factory.close();

    const app2 = await emu.createTestApplication();
    const credential = () => certificateCredential(emu, app2, tls);
    before = emu.stats.tokenRequests;
    failed = await burst(
      new SmsClient(emu.endpoint, credential(), tls),
      new CommunicationIdentityClient(emu.endpoint, credential(), tls),
      calls,
    );
    out.push({ name: "naive (a credential per client)", tokenRequests: emu.stats.tokenRequests - before, failed });
    return { calls, rows: out };
  } finally {
    await emu.close();
  }
}

export function renderTokenFetches(result) {
  const lines = [
    `Token fetches at cold start (${result.calls} concurrent calls over an SMS and an identity client)`,
    "",
    "| code | token-endpoint hits | failed calls |",
    "|---|---|---|",
  ];
  for (const r of result.rows) lines.push(`| ${r.name} | ${r.tokenRequests} | ${r.failed} |`);
  lines.push("", "Target: 1 token-endpoint hit for the factory.");
  return lines.join("\n");
}
