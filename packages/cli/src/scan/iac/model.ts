/**
 * The small model every IaC analyser (ARM, Bicep, Terraform) produces, and that the one rule set (`rules.ts`) reads.
 * A new language adds a parser that fills this model; it never adds rules.
 */

/** A position in the analysed file (1-based). */
export interface IacPosition {
  line: number;
  column: number;
}

/** An ACS resource (`Microsoft.Communication/communicationServices`) declared in the file. */
export interface AcsResource {
  /** Symbolic name, Terraform address or ARM name expression (for messages). */
  name: string;
  at: IacPosition;
  /** How it is declared: `arm`/`bicep` (the ARM type), `azurerm` (azurerm_communication_service) or `azapi`. */
  provider: "arm" | "bicep" | "azurerm" | "azapi";
  /** The ARM API version, when the declaration names one. */
  apiVersion?: string;
  /** `true` only when `disableLocalAuth` is set to a literal (or provably) true value. */
  disablesLocalAuth: boolean;
  /** `true` when the value is an expression the analyser could not resolve: never report then. */
  disableLocalAuthUnknown: boolean;
  /** A diagnostic setting in this deployment is scoped to it (or to something we cannot resolve). */
  hasDiagnostics: boolean;
}

/** Where a key ends up. */
export type SinkKind =
  | "app-setting"
  | "connection-string-setting"
  | "container-env"
  | "key-vault-secret"
  | "output"
  | "module-parameter"
  | "resource-property";

/** A flow of an ACS access key or connection string into a sink. */
export interface KeyFlow {
  sink: SinkKind;
  /** The sink's name (setting name, output name, secret name, property path). */
  name: string;
  at: IacPosition;
  /** What carries the key, e.g. `acs.listKeys().primaryConnectionString` (never a key value). */
  via: string;
  /** `@secure()` output/parameter or Terraform `sensitive = true` (or a secure ARM output type). */
  secure: boolean;
  /** Position of a `#disable-next-line outputs-should-not-contain-secrets` above the sink, when there is one. */
  suppressedAt?: IacPosition;
}

/** A file read for the analysis of another (a Terraform sibling or module file, a Bicep module) that failed. */
export interface UnanalysedFile {
  /** Absolute path. */
  path: string;
  /** What its parser threw (a JSON syntax error, a RangeError, a TemplateTooDeepError, …). */
  error: unknown;
}

/** What one file's analyser found. */
export interface IacModel {
  language: "arm" | "bicep" | "terraform";
  resources: AcsResource[];
  flows: KeyFlow[];
  /**
   * The other files this analysis read that could not be parsed: left out of it (a module is then unread), and each
   * reported as a parse error of its own.
   */
  unanalysed?: UnanalysedFile[];
}

/** Reads another file of the deployment (a module), relative to the analysed file; `undefined` when unreadable. */
export type IacFileReader = (fromFile: string, relativePath: string) => { path: string; text: string } | undefined;

/** The keys-bearing properties of an ACS `listKeys` result (ARM/Bicep). */
export const ACS_KEY_PROPERTIES = [
  "primaryConnectionString",
  "secondaryConnectionString",
  "primaryKey",
  "secondaryKey",
] as const;

/** The ACS resource type, lower-case. */
export const ACS_TYPE = "microsoft.communication/communicationservices";

/** First API version of Microsoft.Communication/communicationServices that accepts `disableLocalAuth`. */
export const DISABLE_LOCAL_AUTH_API_VERSION = "2025-05-01";

/** True when `apiVersion` (`YYYY-MM-DD[-preview]`) predates {@link DISABLE_LOCAL_AUTH_API_VERSION}. */
export function apiVersionTooOld(apiVersion: string | undefined): boolean {
  if (apiVersion === undefined) return false;
  const date = /^\d{4}-\d{2}-\d{2}/.exec(apiVersion)?.[0];
  return date !== undefined && date < DISABLE_LOCAL_AUTH_API_VERSION;
}

/** File access for analysers that follow modules or read a Terraform module's other files (absolute paths). */
export interface IacHost {
  /** The text of a file, or undefined when it cannot be read. */
  read(path: string): string | undefined;
  /** The names of the files in a directory (empty when unreadable). */
  list(dir: string): string[];
}

/**
 * When a module cannot be read (a registry module, a file outside the scan), its output carries an ACS key when the
 * module is about ACS (its name or path says `communication` or `acs`) and the output is named like a key.
 */
export function unreadableModuleOutputCarriesKey(moduleNameOrPath: string, output: string): boolean {
  return (
    /communication|(?:^|[^a-z])acs(?:[^a-z]|$)/i.test(moduleNameOrPath) &&
    /connection_?string|access_?key|primary_?key|secondary_?key|acs_?key/i.test(output)
  );
}
