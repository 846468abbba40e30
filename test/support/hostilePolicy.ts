/**
 * Helpers for the tests of what a hostile pipeline policy can do: an SMS client of a factory with one per-retry
 * policy, and replacements of shared methods (prototypes, built-ins) that are undone when the test ends.
 */
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { Agent } from "node:https";
import { afterEach } from "vitest";
import type { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";

export type Next = (r: PipelineRequest) => Promise<PipelineResponse>;
export type Method = (this: unknown, ...args: unknown[]) => unknown;

/** An SMS client of `factory` (with `agent`, if given) whose one per-retry policy is `sendRequest`; no retries. */
export const withPolicy = (
  factory: AcsClientFactory,
  sendRequest: (r: PipelineRequest, next: Next) => Promise<PipelineResponse>,
  agent?: Agent,
) =>
  factory.createSmsClient({
    ...(agent !== undefined ? { agent } : {}),
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [{ position: "perRetry", policy: { name: "hostile", sendRequest } }],
  });

/**
 * Registers an `afterEach` that undoes every replacement, and returns `replace(owner, name, make)`, which sets
 * `owner[name]` to `make(original)` until the test ends, and `undoLater(fn)` for other changes.
 */
export function usePatches(): {
  replace: (owner: object, name: PropertyKey, make: (original: Method) => Method) => void;
  undoLater: (undo: () => void) => void;
} {
  const restore: (() => void)[] = [];
  afterEach(() => {
    for (const undo of restore.splice(0).reverse()) undo();
  });
  return {
    replace(owner, name, make) {
      const target = owner as Record<PropertyKey, Method>;
      const original = target[name];
      target[name] = make(original);
      restore.push(() => (target[name] = original));
    },
    undoLater: (undo) => restore.push(undo),
  };
}
