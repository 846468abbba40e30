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
  const window = Math.min(MAX_REFRESH_WINDOW_MS, lifetime * 0.3);
  let refreshAt = token.expiresOnTimestamp - window;
  if (token.refreshAfterTimestamp !== undefined) refreshAt = Math.min(refreshAt, token.refreshAfterTimestamp);
  // Never hand out a token in its last second (or last quarter, for very short lifetimes): it could expire on the way.
  const mustRefreshAt = token.expiresOnTimestamp - Math.min(1000, lifetime * 0.25);
  return { token, refreshAt, mustRefreshAt };
}

/** Latest instant a `Date` can hold (ms since the epoch). */
const MAX_DATE_MS = 8.64e15;

/**
 * A plain, frozen copy of the token the credential returned, when it is usable. Every field is read exactly once,
 * here, and only the copy is validated, cached, recorded and returned, so a token whose getters answer differently
 * on later reads (or a caller changing the object it got) cannot make the cache hold something other than what was
 * checked. Usable: a non-empty string and an expiry in the future that a `Date` can hold. Anything else (null,
 * `expiresOnTimestamp` of 1e16, NaN, Infinity, in the past, not a number) is an `InvalidTokenError`, so it is
 * recorded as a failure and never cached. A `refreshAfterTimestamp` that is not a number strictly between now and
 * the expiry (-1, NaN, in the past, after the expiry) is dropped: obeying it would start a new fetch on every call.
 */
function validToken(returned: AccessToken | null, now: number): AccessToken {
  const fail = (why: string): never => {
    const error = new Error(`The credential returned ${why}.`);
    error.name = "InvalidTokenError";
    throw error;
  };
  if (returned === null || typeof returned !== "object") return fail("no token");
  // The only reads of the credential's object.
  const value: unknown = returned.token;
  const expires: unknown = returned.expiresOnTimestamp;
  const refresh: unknown = returned.refreshAfterTimestamp;
  const tokenType: unknown = returned.tokenType;
  if (typeof value !== "string" || value.length === 0) return fail("a token without a value");
  if (typeof expires !== "number" || !Number.isFinite(expires) || expires > MAX_DATE_MS)
    return fail("a token whose expiry (expiresOnTimestamp) is not a valid time");
  if (expires <= now) return fail("a token that has already expired");
  const copy: AccessToken = { token: value, expiresOnTimestamp: expires };
  if (typeof refresh === "number" && Number.isFinite(refresh) && refresh > now && refresh < expires)
    copy.refreshAfterTimestamp = refresh;
  if (tokenType === "Bearer" || tokenType === "pop") copy.tokenType = tokenType;
  return Object.freeze(copy);
}

/** A TokenCredential that shares one token (and one fetch) between all its callers. */
export class SharedTokenCredential implements TokenCredential {
  readonly #inner: TokenCredential;
  readonly #timeoutMs: number;
  readonly #events: TokenCacheEvents;
  readonly #cache = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<AccessToken>>();
  readonly #controllers = new Set<AbortController>();
  readonly #abortTransport: (() => void) | undefined;

  /**
   * @param timeoutMs - a fetch that takes longer fails with a `TimeoutError` (0 = no bound); the caller gets an error
   * instead of a hang when Entra ID does not answer, and the fetch itself is aborted.
   * @param abortTransport - aborts the inner credential's HTTP requests in flight. Upstream MSAL flows do not pass
   * the `abortSignal` of `getToken` on to their requests, so for the factory's own credentials a timeout or
   * {@link SharedTokenCredential.close} calls this instead; without it, the inner `getToken` gets an `abortSignal`
   * that the timeout and close() abort.
   */
  constructor(inner: TokenCredential, events: TokenCacheEvents = {}, timeoutMs = 0, abortTransport?: () => void) {
    this.#inner = inner;
    this.#timeoutMs = timeoutMs;
    this.#events = events;
    this.#abortTransport = abortTransport;
  }

  /** Aborts every fetch in flight (their callers get an AbortError); later calls fetch again. */
  close(): void {
    for (const controller of this.#controllers) controller.abort();
    this.#controllers.clear();
    this.#abortTransport?.();
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

  /** `fetch`, failing with a TimeoutError after timeoutMs; the timeout (or close()) aborts the fetch itself. */
  #bounded(scopes: string[], options: GetTokenOptions): Promise<AccessToken | null> {
    const controller = new AbortController();
    this.#controllers.add(controller);
    let fetch: Promise<AccessToken | null>;
    try {
      // Without a transport of its own to abort, the signal goes to the credential (a caller's TokenCredential).
      fetch = this.#inner.getToken(
        scopes,
        this.#abortTransport === undefined ? { ...options, abortSignal: controller.signal } : options,
      );
    } catch (error) {
      fetch = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener(
        "abort",
        () => reject(Object.assign(new Error("The token request was aborted."), { name: "AbortError" })),
        { once: true },
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const racers: Promise<AccessToken | null>[] = [fetch, aborted];
    if (this.#timeoutMs > 0) {
      racers.push(
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new Error(`Microsoft Entra ID did not issue a token within ${this.#timeoutMs} ms.`);
            error.name = "TimeoutError";
            reject(error);
            controller.abort();
            this.#abortTransport?.();
          }, this.#timeoutMs);
          timer.unref();
        }),
      );
    }
    // The losers of the race must not become unhandled rejections.
    fetch.catch(() => undefined);
    aborted.catch(() => undefined);
    return Promise.race(racers).finally(() => {
      clearTimeout(timer);
      this.#controllers.delete(controller);
    });
  }

  #fetch(key: string, scopes: string[], options: GetTokenOptions): Promise<AccessToken> {
    const running = this.#inflight.get(key);
    if (running !== undefined && options.claims === undefined) return running;
    const { abortSignal: _ignored, ...shared } = options;
    const promise = this.#bounded(scopes, shared)
      .then((returned) => {
        // Read once into a frozen copy; from here on only the copy is used.
        const token = validToken(returned, Date.now());
        // Only a token that is recorded as a success is cached, and a failing hook cannot turn it into a failure.
        this.#cache.set(key, schedule(token, Date.now()));
        try {
          this.#events.acquired?.(token, scopes);
        } catch {
          // the record is the hook's concern; the token is valid
        }
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
