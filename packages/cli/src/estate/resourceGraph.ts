/**
 * Resource Graph through `@azure/arm-resourcegraph` (an optional peer, loaded only by `sweep`): one query, every page
 * (`$skipToken`) handed to the caller as it arrives, so raw pages are never held together. A throttled page is asked
 * again after the wait Resource Graph names (at most `MAX_THROTTLE_WAIT_MS`, at most {@link THROTTLE_RETRIES}
 * times: the 429 comes here, not to the SDK's retry, which would sleep the whole `Retry-After`); results truncated
 * without a `$skipToken`, a `$skipToken` that comes back, or a page whose rows cannot be read are an error, never a
 * silently short table.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { ArmSession } from "acs-baseline/internal";
import { estateClientOptions, ThrottledError } from "./armRequests.js";
import type { GraphRawResponse } from "./graphResponse.js";
import { describeGraphError, incompletePage, pageRows, skipTokenOf, throttleWaitMs } from "./graphResponse.js";

/** How many times a throttled (429) page is asked again, after the wait Resource Graph names. */
export const THROTTLE_RETRIES = 3;

async function loadResourceGraph() {
  try {
    return await import("@azure/arm-resourcegraph");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new Error(
        "sweep needs the optional peer dependency @azure/arm-resourcegraph, which is not installed. Install it: npm install @azure/arm-resourcegraph",
      );
    throw error;
  }
}

type Client = InstanceType<Awaited<ReturnType<typeof loadResourceGraph>>["ResourceGraphClient"]>;

/** Where queries run: subscriptions, management groups, or (neither) everything the caller can read. */
export interface GraphScope {
  subscriptions?: string[];
  managementGroups?: string[];
}

/** A Resource Graph reader over one ARM session. */
export interface GraphReader {
  /**
   * Runs `query`, calling `onRow` for each row of each page; returns the number of requests sent. `scoped` false runs
   * it over everything the caller can read (the context tables: policy and roles inherited from management groups).
   */
  query(query: string, onRow: (row: Record<string, unknown>) => void, scoped?: boolean): Promise<number>;
  /** Every request sent so far, throttled ones and the SDK's own retries included. */
  readonly requests: number;
}

/** Called before a throttled page is asked again: the wait, and which retry it is (1 to {@link THROTTLE_RETRIES}). */
export type OnThrottled = (waitMs: number, retry: number) => void;

/** A table that could not be read, and why (secret-free). */
export class GraphReadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Opens a Resource Graph reader; every request ends with `signal`. */
export async function openGraphReader(
  session: ArmSession,
  scope: GraphScope,
  signal: AbortSignal,
  onThrottled?: OnThrottled,
): Promise<GraphReader> {
  const { ResourceGraphClient } = await loadResourceGraph();
  let sent = 0;
  const client: Client = new ResourceGraphClient(session.credential, {
    ...estateClientOptions(session, signal, { onSent: () => sent++, throwOnThrottle: true }),
    endpoint: session.armEndpoint,
    credentials: { scopes: [session.scope] },
  });
  const where = (scoped: boolean): GraphScope => (scoped ? scope : {});
  /** One page, asked again (at most {@link THROTTLE_RETRIES} times) while Resource Graph answers 429. */
  async function page(query: string, scoped: boolean, skipToken: string | undefined) {
    for (let attempt = 0; ; attempt++) {
      let raw: GraphRawResponse | undefined;
      try {
        const result = await client.resources(
          {
            query,
            ...scopeMembers(where(scoped)),
            options: { resultFormat: "objectArray", top: 1000, ...(skipToken !== undefined ? { skipToken } : {}) },
          },
          { abortSignal: signal, onResponse: (response) => (raw = response) },
        );
        return { result, raw };
      } catch (error) {
        if (error instanceof ThrottledError) raw = error.response;
        if (raw?.status !== 429 || attempt >= THROTTLE_RETRIES || signal.aborted)
          throw new GraphReadError(describeGraphError(error, raw));
        const wait = throttleWaitMs(raw);
        onThrottled?.(wait, attempt + 1);
        // Less when the signal aborts: the next attempt then fails as aborted.
        await delay(wait, undefined, { signal }).catch(() => undefined);
      }
    }
  }
  return {
    async query(query, onRow, scoped = true) {
      let skipToken: string | undefined;
      const seen = new Set<string>();
      const before = sent;
      do {
        const { result, raw } = await page(query, scoped, skipToken);
        // Checked before any row is handed on: a short table is never read as a whole one.
        const problem = incompletePage(result, raw, seen);
        if (problem !== undefined) throw new GraphReadError(problem);
        const rows = pageRows(result);
        if (typeof rows === "string") throw new GraphReadError(rows);
        for (const row of rows) onRow(row);
        skipToken = skipTokenOf(result);
        if (skipToken !== undefined) seen.add(skipToken);
      } while (skipToken !== undefined);
      return sent - before;
    },
    get requests() {
      return sent;
    },
  };
}

/** The request's scope members: only the non-empty lists. */
function scopeMembers(where: GraphScope): GraphScope {
  return {
    ...(where.subscriptions !== undefined && where.subscriptions.length > 0
      ? { subscriptions: where.subscriptions }
      : {}),
    ...(where.managementGroups !== undefined && where.managementGroups.length > 0
      ? { managementGroups: where.managementGroups }
      : {}),
  };
}
