/**
 * Which agent the pipeline's proxy policy installs: the request guard lets only that class through when a proxy is
 * configured (any other agent a policy puts on a request decides where its socket goes).
 */
import { createRequire } from "node:module";
import { nodeRequire } from "./nodeRequire.js";

let proxyPrototype: object | null | undefined;
/**
 * The prototype of `HttpsProxyAgent` as the pipeline's proxy policy loads it (`https-proxy-agent`, a dependency of
 * `@typespec/ts-http-runtime`, which `@azure/core-rest-pipeline` builds on), resolved once; undefined when it cannot
 * be resolved from here.
 */
export function httpsProxyAgentPrototype(): object | undefined {
  if (proxyPrototype === undefined) {
    try {
      const fromPipeline = createRequire(nodeRequire.resolve("@azure/core-rest-pipeline"));
      const fromRuntime = createRequire(fromPipeline.resolve("@typespec/ts-http-runtime"));
      const loaded = fromRuntime("https-proxy-agent") as { HttpsProxyAgent?: { prototype?: unknown } };
      const proto = loaded.HttpsProxyAgent?.prototype;
      proxyPrototype = typeof proto === "object" && proto !== null ? proto : null;
    } catch {
      proxyPrototype = null;
    }
  }
  return proxyPrototype ?? undefined;
}
