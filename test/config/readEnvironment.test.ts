// readEnvironment: the pure environment → configuration step shared by AcsClientFactory.fromEnvironment and doctor.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES, readEnvironment } from "../../packages/acs-baseline/src/index.js";

const KEY = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=";

describe("readEnvironment", () => {
  it("reads every documented variable", () => {
    const config = readEnvironment({
      AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
      AZURE_TENANT_ID: "tenant",
      AZURE_CLIENT_ID: "client",
      AZURE_CLIENT_CERTIFICATE_PATH: "/secrets/app.pem",
      AZURE_CLIENT_CERTIFICATE_PASSWORD: "pw",
      AZURE_CLIENT_SECRET: "secret",
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
      AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: "true",
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
      AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "true",
      AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: " adfs.contoso.example, ,*.login.stack.example ",
    });
    expect(config).toEqual({
      endpoint: "https://contoso.communication.azure.com",
      tenantId: "tenant",
      clientId: "client",
      certificatePath: "/secrets/app.pem",
      certificatePassword: "pw",
      clientSecret: "secret",
      authorityHost: "https://login.microsoftonline.us",
      sendCertificateChain: true,
      federatedTokenFile: "/var/run/secrets/azure/tokens/azure-identity-token",
      useManagedIdentity: true,
      allowedAuthorityHosts: ["adfs.contoso.example", "*.login.stack.example"],
      keyMaterialVariables: [],
    });
    expect(Object.values(ENVIRONMENT_VARIABLES).sort()).toEqual([
      "AZURE_AUTHORITY_HOST",
      "AZURE_CLIENT_CERTIFICATE_PASSWORD",
      "AZURE_CLIENT_CERTIFICATE_PATH",
      "AZURE_CLIENT_ID",
      "AZURE_CLIENT_SECRET",
      "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
      "AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS",
      "AZURE_COMMUNICATION_ALLOWED_HOSTS",
      "AZURE_COMMUNICATION_ENDPOINT",
      "AZURE_COMMUNICATION_USE_MANAGED_IDENTITY",
      "AZURE_FEDERATED_TOKEN_FILE",
      "AZURE_TENANT_ID",
    ]);
  });

  it("treats empty and blank values as unset, trims identifiers but keeps secrets and passwords verbatim", () => {
    const config = readEnvironment({
      AZURE_COMMUNICATION_ENDPOINT: "  https://contoso.communication.azure.com \n",
      AZURE_TENANT_ID: "   ",
      AZURE_CLIENT_ID: "",
      AZURE_CLIENT_CERTIFICATE_PASSWORD: " pass word ",
      AZURE_CLIENT_SECRET: " s3cret ",
    });
    expect(config).toEqual({
      endpoint: "https://contoso.communication.azure.com",
      certificatePassword: " pass word ",
      clientSecret: " s3cret ",
      keyMaterialVariables: [],
    });
  });

  it("parses AZURE_CLIENT_SEND_CERTIFICATE_CHAIN like the Azure SDK (true or 1)", () => {
    const chain = (v: string) => readEnvironment({ AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: v }).sendCertificateChain;
    expect(chain("true")).toBe(true);
    expect(chain("TRUE")).toBe(true);
    expect(chain("1")).toBe(true);
    expect(chain("false")).toBe(false);
    expect(chain("0")).toBe(false);
    expect(chain("")).toBeUndefined();
  });

  it("names variables holding ACS key material (by name or by a connection-string value), never their values", () => {
    const env = {
      AZURE_COMMUNICATION_CONNECTION_STRING: `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`,
      ACS_CONNECTION_STRING: "x",
      COMMUNICATION_SERVICES_ACCESS_KEY: KEY,
      MY_APP_SETTING: `AccessKey=${KEY}; Endpoint=https://contoso.communication.azure.com`,
      AZURE_CLIENT_ID: "client",
      PATH: "/usr/bin",
      EMPTY_ACS_CONNECTION_STRING: "",
    };
    const config = readEnvironment(env);
    expect(config.keyMaterialVariables).toEqual([
      "ACS_CONNECTION_STRING",
      "AZURE_COMMUNICATION_CONNECTION_STRING",
      "COMMUNICATION_SERVICES_ACCESS_KEY",
      "MY_APP_SETTING",
    ]);
    expect(JSON.stringify(config.keyMaterialVariables)).not.toContain(KEY.slice(0, 8));
  });

  it("is pure: reads only the object it is given and no file", () => {
    const env = { AZURE_CLIENT_CERTIFICATE_PATH: "/does/not/exist.pem" };
    const frozen = Object.freeze({ ...env });
    expect(readEnvironment(frozen).certificatePath).toBe("/does/not/exist.pem");
    expect(readEnvironment({}).keyMaterialVariables).toEqual([]);
  });

  it("never puts a value into keyMaterialVariables (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z][A-Z_]{0,30}$/), fc.string({ minLength: 12 })), (env) => {
        const names = readEnvironment(env).keyMaterialVariables;
        for (const name of names) expect(Object.keys(env)).toContain(name);
        expect(names).toEqual([...names].sort());
      }),
    );
  });
});
