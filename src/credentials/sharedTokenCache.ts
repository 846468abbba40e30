/**
 * One token fetch serves every client of a factory: tokens are cached per scope set, concurrent requests share one
 * fetch, and tokens are refreshed ahead of expiry while the valid one keeps being served — also for lifetimes of a
 * few seconds.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/** Hooks for what happened on the wire (for the audit log). */
export interface TokenCacheEvents {
  acquired?(token: AccessToken, scopes: string[]): void;
  failed?(error: unknown, scopes: string[]): void;
}

interface Entry {
  token: AccessToken;
  /** After this, a background refresh starts (the cached token is still served). */
  refreshAt: number;
  /** After this, callers wait for a new token. */
  mustRefreshAt: number;
}

/** Refresh this long before expiry at most (as the upstream bearer policy does). */
const MAX_REFRESH_WINDOW_MS = 2 * 60_000;

function schedule(token: AccessToken, now: number): Entry {
  const lifetime = Math.max(0, token.expiresOnTimestamp - now);
  const window = Math.min(MAX_REFRESH_WINDOW_MS, lifetime * 0.25);
  let refreshAt = token.expiresOnTimestamp - window;
  if (token.refreshAfterTimestamp !== undefined) refreshAt = Math.min(refreshAt, token.refreshAfterTimestamp);
  const mustRefreshAt = token.expiresOnTimestamp - Math.min(1000, lifetime * 0.1);
  return { token, refreshAt, mustRefreshAt };
}

/** A TokenCredential that shares one token (and one fetch) between all its callers. */
export class SharedTokenCredential implements TokenCredential {
  readonly #inner: TokenCredential;
  readonly #events: TokenCacheEvents;
  readonly #cache = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<AccessToken>>();

  constructor(inner: TokenCredential, events: TokenCacheEvents = {}) {
    this.#inner = inner;
    this.#events = events;
  }

  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const list = [scopes].flat();
    if (options.claims !== undefined) return this.#fetch(this.#key(list, options), list, options);
    const key = this.#key(list, options);
    const entry = this.#cache.get(key);
    const now = Date.now();
    if (entry !== undefined && now < entry.mustRefreshAt) {
      if (now >= entry.refreshAt) this.#fetch(key, list, options).catch(() => undefined);
      return entry.token;
    }
    const pending = this.#fetch(key, list, options);
    if (options.abortSignal === undefined) return pending;
    const signal = options.abortSignal;
    return new Promise<AccessToken>((resolve, reject) => {
      const onAbort = () => reject(Object.assign(new Error("The operation was aborted."), { name: "AbortError" }));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      pending.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  /** Forgets cached tokens (e.g. after the certificate was rotated). */
  clear(): void {
    this.#cache.clear();
  }

  #key(scopes: string[], options: GetTokenOptions): string {
    return `${[...scopes].sort().join(" ")}\u0000${options.tenantId ?? ""}`;
  }

  #fetch(key: string, scopes: string[], options: GetTokenOptions): Promise<AccessToken> {
    const running = this.#inflight.get(key);
    if (running !== undefined && options.claims === undefined) return running;
    const { abortSignal: _ignored, ...shared } = options;
    const promise = this.#inner
      .getToken(scopes, shared)
      .then((token) => {
        if (token === null) throw new Error("The credential returned no token.");
        this.#cache.set(key, schedule(token, Date.now()));
        this.#events.acquired?.(token, scopes);
        return token;
      })
      .catch((error: unknown) => {
        this.#events.failed?.(error, scopes);
        throw error;
      })
      .finally(() => {
        if (this.#inflight.get(key) === promise) this.#inflight.delete(key);
      });
    this.#inflight.set(key, promise);
    return promise;
  }
}
