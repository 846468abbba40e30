/** Fault injection: make the emulator fail the way Entra or ACS can fail (throttling, outages, drops, delays). */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http.js";

/** Which server a fault, a request or a record belongs to. @public */
export type EmulatorSide = "entra" | "acs" | "arm";

/** A fault to inject. @public */
export interface FaultSpec {
  /** The server that fails. */
  side: EmulatorSide;
  /** Only requests whose path (no query) equals this string or matches this expression. Default: every path. */
  path?: string | RegExp;
  /** Answer with this HTTP status (e.g. 429, 500, 503) instead of handling the request. */
  status?: number;
  /** `Retry-After` header (seconds) sent with `status`. */
  retryAfterSeconds?: number;
  /** Wait this long before answering (or before handling the request normally when no status/drop is set). */
  delayMs?: number;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /** The JSON body answered with `status` (default: the service's usual error shape). For hostile-server tests. */
  body?: unknown;
  /** Apply to the next `count` matching requests only. Default: until removed. */
  count?: number;
  /** Apply to this fraction (0..1) of matching requests. Default: all. */
  fraction?: number;
}

/** Handle to an injected fault. @public */
export interface InjectedFault {
  /** Stops injecting this fault. */
  remove(): void;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

/** The faults of one emulator. */
export class FaultRegistry {
  readonly #faults: ActiveFault[] = [];

  add(spec: FaultSpec): InjectedFault {
    if (spec.fraction !== undefined && !(spec.fraction >= 0 && spec.fraction <= 1)) {
      throw new RangeError("fraction must be between 0 and 1");
    }
    if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 100 && spec.status <= 599)) {
      throw new RangeError("status must be an HTTP status code");
    }
    const fault: ActiveFault = { spec: { ...spec }, remaining: spec.count ?? Number.POSITIVE_INFINITY };
    this.#faults.push(fault);
    return {
      remove: () => {
        const i = this.#faults.indexOf(fault);
        if (i !== -1) this.#faults.splice(i, 1);
      },
    };
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The fault that applies to this request, if any (consumes one of its `count`). */
  take(side: EmulatorSide, path: string): FaultSpec | undefined {
    for (const fault of this.#faults) {
      const { spec } = fault;
      if (spec.side !== side) continue;
      if (spec.path !== undefined && (typeof spec.path === "string" ? spec.path !== path : !spec.path.test(path)))
        continue;
      if (spec.fraction !== undefined && Math.random() >= spec.fraction) continue;
      fault.remaining--;
      if (fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
      return spec;
    }
    return undefined;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Applies a fault. Returns the status written (or 0 for a dropped connection), or `undefined` when the request
 * should now be handled normally (a pure delay).
 */
export async function applyFault(
  fault: FaultSpec,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<number | undefined> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) await delay(fault.delayMs);
  if (fault.drop === true) {
    req.socket.destroy();
    return 0;
  }
  if (fault.status === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  const body =
    fault.body !== undefined
      ? fault.body
      : fault.side === "entra"
        ? {
            error: fault.status === 429 ? "too_many_requests" : "temporarily_unavailable",
            error_description: `AADSTS90033: Injected fault: the service answered ${fault.status}.`,
            error_codes: [90033],
          }
        : fault.status === 403
          ? {
              error: {
                code: "AuthorizationFailed",
                message: "Injected fault: the client does not have authorization to perform this action.",
              },
            }
          : {
              error: {
                code: fault.status === 429 ? "TooManyRequests" : "ServiceUnavailable",
                message: `Injected fault: the service answered ${fault.status}.`,
              },
            };
  sendJson(res, fault.status, body, headers);
  return fault.status;
}
