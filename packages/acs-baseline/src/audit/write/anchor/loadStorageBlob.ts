/**
 * `@azure/storage-blob` is an optional peer dependency: it is loaded only when an anchor is configured, so the
 * default install of the library stays free of it.
 */

import type * as StorageBlob from "@azure/storage-blob";

/** The module namespace of `@azure/storage-blob`. */
export type StorageBlobModule = typeof StorageBlob;

/** The package the anchor needs. */
export const STORAGE_BLOB_PACKAGE = "@azure/storage-blob";

/** True when `specifier` itself (not one of its own dependencies) could not be found. */
function isModuleNotFound(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    message.includes(`'${specifier}'`)
  );
}

/**
 * Imports `@azure/storage-blob`.
 * @param specifier - the module to import; only tests pass another one (to see the missing-package error)
 * @throws Error naming the package and the install command when it is not installed
 */
export async function loadStorageBlob(specifier: string = STORAGE_BLOB_PACKAGE): Promise<StorageBlobModule> {
  try {
    return (await import(specifier)) as StorageBlobModule;
  } catch (error) {
    if (isModuleNotFound(error, specifier)) {
      throw new Error(
        `The audit anchor (audit.anchor.blob) needs the optional peer dependency ${STORAGE_BLOB_PACKAGE}, which is not installed. Install it next to acs-baseline: npm install ${STORAGE_BLOB_PACKAGE}`,
      );
    }
    throw error;
  }
}
