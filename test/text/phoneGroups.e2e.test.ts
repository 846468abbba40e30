// Review U, finding 2, end to end: an SMS service answers 400 quoting the recipient in its own national or
// international formatting; the caller's error (message, details) must hold only the last four digits. Real
// SmsClient through the factory, a TLS fake as the service.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import type { TlsFake } from "../support/tlsFake.js";
import { startTlsFake } from "../support/tlsFake.js";
import { useEmulator } from "../support/useEmulator.js";

const env = useEmulator();
const dir = tempDir("acs-phone-groups-");
const FORMATTED: Record<string, string> = {
  "+33123456789": "0033 1 23 45 67 89",
  "+49301234567": "0049 30 1234567",
  "+14255550199": "(425) 5550199",
  "+14255550198": "425-5550198",
  "+14255550197": "001 425 5550197",
  "+14255550196": "1.425.5550196",
  "+14255550195": "425/555/0195",
};
let fake: TlsFake;

beforeAll(async () => {
  fake = await startTlsFake((_req, body, res) => {
    const to = (JSON.parse(body) as { smsRecipients: { to: string }[] }).smsRecipients[0]?.to ?? "";
    const shown = FORMATTED[to] ?? to;
    res.writeHead(400, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: { code: "InvalidRecipient", message: `Recipient ${shown} is not reachable`, target: shown },
      }),
    );
  });
});
afterAll(() => fake?.close());

describe("a recipient quoted back in the service's own formatting", () => {
  it.each(Object.entries(FORMATTED))("%s as %s: the error holds the last four digits only", async (to, shown) => {
    const base = emulatorFactoryOptions(env.emu, env.app, { audit: { destination: join(dir, "audit.log") } });
    const factory = new AcsClientFactory({
      ...base,
      endpoint: `https://127.0.0.1:${fake.port}`,
      clientOptions: { tlsOptions: { ca: [env.emu.caCertificatePem, fake.ca] }, retryOptions: { maxRetries: 0 } },
    });
    const error = await factory
      .createSmsClient()
      .send({ from: "+18005550100", to: [to], message: "hello there" })
      .then(
        () => undefined,
        (e: unknown) => e as Error & { details?: unknown },
      );
    await factory.close();
    expect(error).toBeDefined();
    const text = `${error?.message} ${JSON.stringify(error?.details)}`;
    expect(text).toContain(`***${to.slice(-4)}`);
    expect(text.replace(/\D/g, "")).not.toContain(shown.replace(/\D/g, "").slice(0, -4));
  });
});
