import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  BaselineViolationError,
  baselineControlForCode,
  isBaselineViolationError,
} from "../packages/acs-baseline/src/errors.js";

describe("BaselineViolationError", () => {
  it("carries name, code and the control for that code", () => {
    const error = new BaselineViolationError("INSECURE_ENDPOINT", "The endpoint must use https.");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("BaselineViolationError");
    expect(error.code).toBe("INSECURE_ENDPOINT");
    expect(error.control).toBe("DP-3");
    expect(error.message).toBe("[DP-3 INSECURE_ENDPOINT] The endpoint must use https.");
    expect(error.stack).toContain("BaselineViolationError");
    expect(error.cause).toBeUndefined();
    expect(isBaselineViolationError(error)).toBe(true);
    expect(isBaselineViolationError(new Error("x"))).toBe(false);
  });

  it("serialises to its code, control and message only", () => {
    const error = new BaselineViolationError("KEY_AUTH_BLOCKED", "Blocked.");
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "BaselineViolationError",
      code: "KEY_AUTH_BLOCKED",
      control: "IM-1",
      message: "[IM-1 KEY_AUTH_BLOCKED] Blocked.",
    });
    expect(inspect(error)).toContain("KEY_AUTH_BLOCKED");
  });

  it("maps every code to a baseline control", () => {
    expect(baselineControlForCode("CONNECTION_STRING_REFUSED")).toBe("IM-1");
    expect(baselineControlForCode("CERTIFICATE_EXPIRED")).toBe("IM-3");
    expect(baselineControlForCode("ENDPOINT_NOT_ALLOWED")).toBe("DP-3");
    expect(baselineControlForCode("AUTHORITY_NOT_ALLOWED")).toBe("IM-1");
    expect(baselineControlForCode("ENDPOINT_NOT_CONFIGURED")).toBe("DP-3");
    expect(baselineControlForCode("TLS_CERTIFICATE_NOT_TRUSTED")).toBe("DP-3");
  });
});
