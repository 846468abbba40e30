/**
 * A cheaper per-request timeout: the HTTP client arms a timer of the client's `timeoutMs` for every request and clears
 * it when the response arrives; this keeps Node's list for that duration alive between requests.
 */
/** Request timeouts whose timer list is kept (see {@link keepTimerList}). */
const keptTimerLists = new Set<number>();

/**
 * Keeps Node's list of timers of `ms` alive with one idle, unref'd interval (it keeps no process running): the HTTP
 * client arms and clears a timer of `ms` for every request, and without another timer of that duration Node creates
 * the list, schedules it with libuv and removes it again on every request.
 */
export function keepTimerList(ms: number): void {
  // (Node runs a timer of more than 2^31 − 1 ms after 1 ms: such an interval would fire all the time.)
  if (keptTimerLists.has(ms) || keptTimerLists.size >= 16 || !(ms <= 0x7fffffff)) return;
  keptTimerLists.add(ms);
  setInterval(() => undefined, ms).unref();
}
