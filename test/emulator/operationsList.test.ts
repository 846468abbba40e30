// docs/emulator.md lists exactly what the emulator's ACS side serves and what it does not: this test sends one request
// for every row of both lists, so a route that disappears, or a "not emulated" operation that starts answering,
// breaks it. Emulated rows must reach their handler (any answer but the unknown-route 404 NotFound / 405); the others
// must get exactly the documented refusal.
import { readFileSync } from "node:fs";
import { ClientCertificateCredential } from "@azure/identity";
import { beforeAll, describe, expect, it } from "vitest";
import { acsRequest } from "../support/acsRequest.js";
import { useEmulator } from "../support/useEmulator.js";

const doc = readFileSync(new URL("../../docs/emulator.md", import.meta.url), "utf8");

function section(name: string): string {
  const start = doc.indexOf(`<!-- ${name}:start -->`);
  const end = doc.indexOf(`<!-- ${name}:end -->`);
  expect(start, name).toBeGreaterThan(-1);
  return doc.slice(start, end);
}

const REQUEST = /`(GET|POST|PATCH|PUT|DELETE) (\/[^`]*)`/;
const emulated = section("emulated-operations")
  .split("\n")
  .map((line) => REQUEST.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ method: m[1], path: m[2] }));
const notEmulated = section("not-emulated-operations")
  .split("\n")
  .map((line) => ({ request: REQUEST.exec(line), answer: /\| (\d{3}) `(\w+)` \|$/.exec(line) }))
  .filter((r) => r.request !== null && r.answer !== null)
  .map(({ request, answer }) => ({
    method: request?.[1] as string,
    path: request?.[2] as string,
    status: Number(answer?.[1]),
    code: answer?.[2] as string,
  }));

const env = useEmulator();
let entra: string;
let user: string;
beforeAll(async () => {
  const credential = new ClientCertificateCredential(
    env.emu.tenantId,
    env.app.clientId,
    { certificatePath: env.app.certificatePath },
    {
      authorityHost: env.emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: env.emu.caCertificatePem },
    },
  );
  entra = `Bearer ${(await credential.getToken(env.emu.tokenScope))?.token ?? ""}`;
  const created = await acsRequest(env.emu, "POST", "/identities?api-version=2023-10-01", {
    authorization: entra,
    body: { createTokenWithScopes: ["chat"] },
  });
  user = `Bearer ${(created.body as { accessToken: { token: string } }).accessToken.token}`;
});

/** The documented path with its placeholders filled (unknown IDs: the handler answers its own not-found). */
function concrete(path: string): string {
  const filled = path
    .replace(/\{countryCode\}/g, "US")
    .replace(/\{phoneNumber\}/g, "%2B14255550199")
    .replace(/\{[A-Za-z]+\}/g, "probe-id");
  return `${filled}?api-version=probe`;
}

describe("docs/emulator.md's operation lists", () => {
  it("list every operation the route tables serve, and some that are not", () => {
    expect(emulated.length).toBeGreaterThanOrEqual(39);
    expect(notEmulated.length).toBeGreaterThanOrEqual(10);
  });

  it.each(emulated)("$method $path reaches its handler", async ({ method, path }) => {
    const authorization = path.startsWith("/chat/") ? user : entra;
    const answer = await acsRequest(env.emu, method, concrete(path), {
      authorization,
      ...(method === "POST" || method === "PATCH" ? { body: {} } : {}),
    });
    expect(answer.status === 404 && answer.code === "NotFound", `${method} ${path}: unknown route`).toBe(false);
    expect(answer.status, `${method} ${path}`).not.toBe(405);
    expect([401, 403]).not.toContain(answer.status);
  });

  it.each(notEmulated)("$method $path is refused with $status $code", async ({ method, path, status, code }) => {
    const authorization = path.startsWith("/chat/") ? user : entra;
    const body = method === "POST" || method === "PATCH" ? { body: {} } : {};
    expect(await acsRequest(env.emu, method, concrete(path), { authorization, ...body })).toMatchObject({
      status,
      code,
    });
  });
});
