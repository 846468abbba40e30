import { afterAll, beforeAll } from "vitest";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { startEmulator } from "../../packages/emulator/src/index.js";

/**
 * Starts an emulator with one test application for the current test file, closed after its tests. The members are
 * set in `beforeAll`: read them inside tests, not at module level.
 */
export function useEmulator(): { emu: Emulator; app: TestApplication } {
  const state = {} as { emu: Emulator; app: TestApplication };
  beforeAll(async () => {
    state.emu = await startEmulator();
    state.app = await state.emu.createTestApplication();
  });
  afterAll(async () => {
    await (state.emu as Emulator | undefined)?.close();
  });
  return state;
}
