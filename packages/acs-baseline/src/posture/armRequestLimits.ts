/**
 * Limits on the requests of the ARM SDK clients posture and the CLI's estate tools (readiness, sweep) build, as
 * pipeline policies so that they hold for every request a client sends, next pages included:
 * - every request is bound to one deadline (an SDK pager sends its `nextLink` pages without the abort signal the
 *   first page was given, and `@azure/arm-monitor` 8 sends them with no options at all);
 * - a list whose `nextLink` repeats (it would be asked for ever) or that runs to more than {@link ARM_PAGE_LIMIT}
 *   pages is given up on with {@link ArmPagingError}: the source is unread, never read in part.
 */
import type { AdditionalPolicyConfig } from "@azure/core-client";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** The most `nextLink`s one ARM client follows (per posture check, readiness read or sweep). */
export const ARM_PAGE_LIMIT = 1_000;

/** A list ARM would page for ever: its `nextLink` repeated, or it ran past {@link ARM_PAGE_LIMIT} pages. */
export class ArmPagingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArmPagingError";
  }
}

/**
 * Binds every request to `signal` (combined with the request's own signal when it has one): the SDK's retry policy
 * and the HTTP client both read `request.abortSignal`, so a page, a retry wait and a next page all end with it.
 * @param signal - the deadline of the whole read
 */
export function armDeadlinePolicy(signal: AbortSignal): PipelinePolicy {
  return {
    name: "acsBaselineArmDeadline",
    sendRequest(request, next) {
      const own = request.abortSignal;
      request.abortSignal = own instanceof AbortSignal && own !== signal ? AbortSignal.any([own, signal]) : signal;
      return next(request);
    },
  };
}

/** The `nextLink` of an ARM list page (`{value, nextLink}`), or undefined. */
function nextLinkOf(bodyAsText: string | null | undefined): string | undefined {
  // Cheap first: most answers (a resource, a role definition, the last page) name no nextLink at all.
  if (typeof bodyAsText !== "string" || !bodyAsText.includes('"nextLink"')) return undefined;
  try {
    const body = JSON.parse(bodyAsText) as { nextLink?: unknown } | null;
    const link = typeof body === "object" && body !== null ? body.nextLink : undefined;
    return typeof link === "string" && link.length > 0 ? link : undefined;
  } catch {
    return undefined; // not JSON: the SDK says why
  }
}

/**
 * Watches the `nextLink`s a client is handed: one handed again, or more than `limit` of them, fails the request
 * that brought it with {@link ArmPagingError}, so the pager stops there.
 * @param limit - the most nextLinks the client follows
 */
export function armPagingPolicy(limit: number = ARM_PAGE_LIMIT): PipelinePolicy {
  const seen = new Set<string>();
  return {
    name: "acsBaselineArmPaging",
    async sendRequest(request, next) {
      const response = await next(request);
      const link = response.status >= 200 && response.status < 300 ? nextLinkOf(response.bodyAsText) : undefined;
      if (link === undefined) return response;
      if (seen.has(link))
        throw new ArmPagingError(
          "ARM returned a nextLink it had already returned (the list would be asked for ever), so it was not read",
        );
      seen.add(link);
      if (seen.size >= limit)
        throw new ArmPagingError(`ARM's list ran to more than ${limit} pages, so it was not read to the end`);
      return response;
    },
  };
}

/**
 * The policies every ARM SDK client of posture and the estate tools gets (`armDeadlinePolicy` and
 * `armPagingPolicy`), as `additionalPolicies`. One set per client: the paging policy counts that client's pages.
 * @param signal - the deadline of the whole read
 */
export function armRequestPolicies(signal: AbortSignal): AdditionalPolicyConfig[] {
  return [
    { policy: armDeadlinePolicy(signal), position: "perCall" },
    { policy: armPagingPolicy(), position: "perCall" },
  ];
}
