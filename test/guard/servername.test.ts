// Sixteenth review (/tmp/review-r7/hostSni.mjs): Node takes the name TLS checks the certificate against from the
// request's Host header when nothing set it. A policy's `Host: attacker.example` made the client accept, on the
// connection to the endpoint's own address, any certificate a trusted CA issued for that name: an on-path server
// holding one received the Bearer token and the SMS text. The guard's private agents now refuse a connection whose
// certificate name is not the endpoint's.
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { codeOf } from "../support/carrierProbe.js";
import { withPolicy } from "../support/hostilePolicy.js";
import { otherNameServer } from "../support/movedUrl.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const SMS = { from: "+14255550100", to: ["+14255550123"], message: "servername text" };

it("a Host header naming another host: refused (KEY_AUTH_BLOCKED), the on-path server with that name's certificate gets nothing", async () => {
  const onPath = await otherNameServer("attacker.example");
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, {
      endpoint: `https://localhost:${onPath.port}`,
      allowedHosts: ["localhost"],
      clientOptions: { tlsOptions: { ca: [emu.caCertificatePem, onPath.caPem] }, retryOptions: { maxRetries: 0 } },
    }),
  );
  try {
    // Without the header the certificate does not name the endpoint: not trusted, nothing sent.
    expect(await codeOf(factory.createSmsClient().send(SMS))).toBe("TLS_CERTIFICATE_NOT_TRUSTED");
    const sms = withPolicy(factory, (request, next) => {
      request.headers.set("host", "attacker.example");
      return next(request);
    });
    expect(await codeOf(sms.send(SMS))).toBe("KEY_AUTH_BLOCKED");
    expect(onPath.got).toEqual([]);
  } finally {
    await factory.close();
    onPath.close();
  }
});
