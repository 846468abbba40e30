import { afterAll, beforeAll } from "vitest";
import type {
  Emulator,
  EmulatorOptions,
  TestApplication,
  TestApplicationOptions,
} from "../../packages/emulator/src/index.js";
import { startEmulator } from "../../packages/emulator/src/index.js";

/** A started emulator and its test application. */
export interface EmulatorWithApp {
  emu: Emulator;
  app: TestApplication;
}

/** How {@link useEmulator} starts the emulator and its test application. */
export interface UseEmulatorOptions {
  /** Options for `startEmulator` (e.g. a short token lifetime). */
  emulator?: EmulatorOptions;
  /** Options for the test application (e.g. the directory of its certificate), or `false` for no application. */
  application?: TestApplicationOptions | false;
  /** Called once both are up, in `beforeAll`: sets a test file's own `let emu` / `let app`. */
  onStarted?: (started: EmulatorWithApp) => void;
}

/**
 * Starts an emulator (and, unless `application: false`, one test application) for the current test file in
 * `beforeAll`, and closes it after the file's tests. The members of the returned object are set in `beforeAll`: read
 * them inside tests, not at module level. With `application: false`, `app` stays unset.
 */
export function useEmulator(options: UseEmulatorOptions = {}): EmulatorWithApp {
  const state = {} as EmulatorWithApp;
  beforeAll(async () => {
    state.emu = await startEmulator(options.emulator);
    if (options.application !== false) state.app = await state.emu.createTestApplication(options.application);
    options.onStarted?.(state);
  });
  afterAll(async () => {
    await (state.emu as Emulator | undefined)?.close();
  });
  return state;
}
