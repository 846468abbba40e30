/**
 * One call to start: the emulator, a test application and a factory pointed at both, so a quickstart needs two lines.
 *
 * The emulator depends on nothing in this repository (it tests the runtime, so it must not be built from it): the
 * caller passes the factory class (`AcsClientFactory` from `acs-baseline`, or a subclass). That keeps the arrow
 * emulator → nothing, works with the ES module and CommonJS builds alike, and needs no optional peer dependency.
 */
import type { EmulatorFactoryOptions } from "./factoryOptions.js";
import { emulatorFactoryOptions } from "./factoryOptions.js";
import type { Emulator, EmulatorOptions, TestApplication, TestApplicationOptions } from "./startEmulator.js";
import { startEmulator } from "./startEmulator.js";

/** Options of {@link startEmulatorWithFactory}. @public */
export interface StartEmulatorWithFactoryOptions<TExtra extends object> {
  /** Options of the emulator ({@link startEmulator}). */
  emulator?: EmulatorOptions;
  /** Options of the test application ({@link Emulator.createTestApplication}). */
  application?: TestApplicationOptions;
  /** More factory options (e.g. `audit`), as {@link emulatorFactoryOptions}'s `extra`. */
  factory?: TExtra;
}

/** What {@link startEmulatorWithFactory} returns. @public */
export interface EmulatorWithFactory<TFactory> {
  /** The running emulator. */
  readonly emulator: Emulator;
  /** The test application the factory authenticates as (certificate credential). */
  readonly application: TestApplication;
  /** The factory, pointed at the emulator with the application's certificate. */
  readonly factory: TFactory;
  /** Closes the factory (flushing its audit log), then the emulator. Safe to call more than once. */
  close(): Promise<void>;
  /** The same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the emulator, creates a test application and builds `new Factory(emulatorFactoryOptions(...))`.
 *
 * @example
 * ```ts
 * import { AcsClientFactory } from "acs-baseline";
 * import { startEmulatorWithFactory } from "acs-baseline-emulator";
 *
 * const { factory, close } = await startEmulatorWithFactory(AcsClientFactory);
 * const sms = factory.createSmsClient(); // … then: await close();
 * ```
 * @param Factory - the factory class, e.g. `AcsClientFactory` from `acs-baseline`
 * @throws whatever the emulator or the factory throws; the emulator is closed again first
 * @public
 */
export async function startEmulatorWithFactory<
  TFactory extends { close(): Promise<void> },
  TExtra extends object = Record<never, never>,
>(
  Factory: new (options: EmulatorFactoryOptions & TExtra) => TFactory,
  options: StartEmulatorWithFactoryOptions<TExtra> = {},
): Promise<EmulatorWithFactory<TFactory>> {
  if (typeof Factory !== "function") {
    throw new TypeError("startEmulatorWithFactory needs the factory class, e.g. AcsClientFactory from acs-baseline.");
  }
  const emulator = await startEmulator(options.emulator);
  let application: TestApplication;
  let factory: TFactory;
  try {
    application = await emulator.createTestApplication(options.application);
    factory = new Factory(emulatorFactoryOptions(emulator, application, options.factory));
  } catch (error) {
    await emulator.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= factory.close().finally(() => emulator.close());
    return closing;
  };
  return { emulator, application, factory, close, [Symbol.asyncDispose]: close };
}
