/**
 * Resource Graph through `@azure/arm-resourcegraph` (an optional peer, loaded only by `sweep`): one query, every page
 * (`$skipToken`) handed to the caller as it arrives, so raw pages are never held together.
 */
import type { ArmSession } from "acs-baseline/internal";
import { describeArmError } from "acs-baseline/internal";

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
}

/** A table that could not be read, and why (secret-free). */
export class GraphReadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Opens a Resource Graph reader. */
export async function openGraphReader(
  session: ArmSession,
  scope: GraphScope,
  signal: AbortSignal,
): Promise<GraphReader> {
  const { ResourceGraphClient } = await loadResourceGraph();
  const client: Client = new ResourceGraphClient(session.credential, {
    ...(session.guardedClientOptions as unknown as Record<string, unknown>),
    endpoint: session.armEndpoint,
    credentials: { scopes: [session.scope] },
  });
  return {
    async query(query, onRow, scoped = true) {
      const where: GraphScope = scoped ? scope : {};
      let skipToken: string | undefined;
      let requests = 0;
      do {
        let page;
        try {
          page = await client.resources(
            {
              query,
              ...(where.subscriptions !== undefined && where.subscriptions.length > 0
                ? { subscriptions: where.subscriptions }
                : {}),
              ...(where.managementGroups !== undefined && where.managementGroups.length > 0
                ? { managementGroups: where.managementGroups }
                : {}),
              options: { resultFormat: "objectArray", top: 1000, ...(skipToken !== undefined ? { skipToken } : {}) },
            },
            { abortSignal: signal },
          );
        } catch (error) {
          throw new GraphReadError(describeArmError(error).replace(/^ARM/, "Resource Graph"));
        }
        requests++;
        for (const row of Array.isArray(page.data) ? (page.data as Record<string, unknown>[]) : []) onRow(row);
        skipToken = typeof page.skipToken === "string" && page.skipToken.length > 0 ? page.skipToken : undefined;
      } while (skipToken !== undefined);
      return requests;
    },
  };
}
