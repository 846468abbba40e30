/**
 * The per-request timeout's timer list is kept alive by one idle, unref'd interval per duration: it keeps no process
 * running, is added once per duration, and never for a duration Node would run after 1 ms (more than 2^31 − 1 ms).
 */
import { describe, expect, it, vi } from "vitest";
import { keepTimerList } from "../../packages/acs-baseline/src/guard/timerList.js";

describe("keepTimerList", () => {
  it("adds one unref'd interval per duration, and none for an overflowing one", () => {
    const intervals = vi.spyOn(globalThis, "setInterval");
    try {
      keepTimerList(61_234);
      keepTimerList(61_234);
      expect(intervals).toHaveBeenCalledTimes(1);
      expect(intervals.mock.calls[0]?.[1]).toBe(61_234);
      keepTimerList(2 ** 31);
      keepTimerList(Number.POSITIVE_INFINITY);
      keepTimerList(Number.NaN);
      expect(intervals).toHaveBeenCalledTimes(1);
    } finally {
      intervals.mockRestore();
    }
  });

  it("the interval does not keep the event loop alive", async () => {
    const { spawnSync } = await import("node:child_process");
    const url = new URL("../../packages/acs-baseline/src/guard/timerList.ts", import.meta.url).href;
    const started = Date.now();
    const child = spawnSync(
      process.execPath,
      [
        "--experimental-strip-types",
        "--no-warnings",
        "--input-type=module",
        "-e",
        `import { keepTimerList } from ${JSON.stringify(url)}; keepTimerList(60000);`,
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
