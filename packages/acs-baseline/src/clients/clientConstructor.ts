/** The shape of the ACS client classes the factory builds. */
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";

/** A client class whose constructor takes `(endpoint, TokenCredential, options)`. @public */
export type AcsClientConstructor<TClient, TOptions extends object = CommonClientOptions> = new (
  endpoint: string,
  credential: TokenCredential,
  options?: TOptions,
) => TClient;
