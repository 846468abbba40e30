import { describe, expect, it } from "vitest";
import {
  findConnectionStrings,
  isConnectionStringShaped,
  maskConnectionString,
} from "../../packages/acs-baseline/src/text/connectionString.js";

describe("isConnectionStringShaped", () => {
  it.each([
    "endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0",
    "ENDPOINT=https://contoso.communication.azure.com/;ACCESSKEY=c2VjcmV0",
    "accesskey=c2VjcmV0;endpoint=https://contoso.communication.azure.com/",
    "  Endpoint = https://contoso.communication.azure.com/ ;  AccessKey = c2VjcmV0 ; ",
    "endpoint=https://x.communication.azure.com/;foo=bar;accesskey=abc",
    "AZURE_CONN=endpoint=https://x.communication.azure.com/;accesskey=abc",
    "endpoint=https://x.communication.azure.com/;accesskey=",
  ])("detects %s", (value) => {
    expect(isConnectionStringShaped(value)).toBe(true);
  });

  it.each([
    "",
    "https://contoso.communication.azure.com",
    "endpoint=https://contoso.communication.azure.com/",
    "accesskey=abc",
    "myendpoint=https://x;accesskey=abc",
    "endpoint=https://x;myaccesskey=abc",
    "endpoint=https://x accesskey=abc",
    "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc",
  ])("does not flag %s", (value) => {
    expect(isConnectionStringShaped(value)).toBe(false);
  });
});

describe("findConnectionStrings", () => {
  it("finds every occurrence and masks the key", () => {
    const text = [
      "A=endpoint=https://a.communication.azure.com/;accesskey=S3CRETKEYONE==",
      "nothing here",
      'const b = "accesskey=S3CRETKEYTWO;endpoint=https://b.communication.azure.com/";',
    ].join("\n");
    const found = findConnectionStrings(text);
    expect(found).toHaveLength(2);
    expect(found[0].masked).toBe("endpoint=https://a.communication.azure.com/;accesskey=***");
    expect(found[1].masked).toBe("accesskey=***;endpoint=https://b.communication.azure.com/");
    expect(JSON.stringify(found)).not.toContain("S3CRET");
    expect(text.slice(found[1].index, found[1].index + found[1].length)).toContain("S3CRETKEYTWO");
  });

  it("masks keys in any case", () => {
    expect(maskConnectionString("AccessKey = abc;endpoint=x")).toBe("AccessKey = ***;endpoint=x");
  });
});
