/**
 * This app's own evidence for `readiness --audit-log FILE…`: each audit log verified by the runtime's verifier
 * (streamed, one pass), and the key refusals among its verified records, grouped by code and client.
 */
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { verifyLog } from "acs-baseline/internal";
import type { VerifyLogResult } from "acs-baseline/internal";

/**
 * The refusal codes that mean a key was offered or key auth was attempted (docs/readiness.md):
 * a connection string, a key/SAS credential, or a key-signed (non-Bearer) request stopped before the wire.
 */
export const KEY_REFUSAL_CODES: ReadonlySet<string> = new Set<KeyRefusal["code"]>([
  "CONNECTION_STRING_REFUSED",
  "KEY_CREDENTIAL_REFUSED",
  "KEY_AUTH_BLOCKED",
]);

/** Whether a record's code is one of {@link KEY_REFUSAL_CODES}. */
function isKeyRefusalCode(code: string | undefined): code is KeyRefusal["code"] {
  return code !== undefined && KEY_REFUSAL_CODES.has(code);
}

/** How one audit log verified. @public */
export interface AuditLogVerdict {
  /** The path as given. */
  file: string;
  /** The verifier's status: only `intact` logs are vouched for (refusals are read from verified records only). */
  verdict: "intact" | "tampered" | "incomplete";
  /** Records whose chain was verified (up to the first problem). */
  records: number;
  /** Why it is not intact, in the verifier's words (empty when intact). */
  reasons: string[];
  /** What the verifier could not vouch for even so (e.g. a log not closed yet), in its words. */
  warnings: string[];
}

/** The key refusals of one code (and client, when the record names one) in the window. @public */
export interface KeyRefusal {
  /** The refusal code: a connection string, a key/SAS credential, or a key-signed request stopped before the wire. */
  code: "CONNECTION_STRING_REFUSED" | "KEY_CREDENTIAL_REFUSED" | "KEY_AUTH_BLOCKED";
  /** The client class the refusal was for (`acs.client`), when the record names one. */
  client?: string;
  /** Refusals recorded in the window. */
  count: number;
  /** Time of the first refusal (ISO 8601). */
  first: string;
  /** Time of the last refusal (ISO 8601). */
  last: string;
}

/** This app's own evidence, from its audit logs (`appEvidence` of `acs-baseline/readiness/v1`). @public */
export interface AppEvidence {
  /** One entry per audit log given (a directory of rotated files is one log). */
  logs: AuditLogVerdict[];
  /** Key refusals in the window, from verified records of all logs, grouped by code and client. */
  keyRefusals: KeyRefusal[];
}

/** Thrown when an audit log cannot be read (missing, unreadable, a FIFO or device, an empty directory). */
export class AuditLogUnreadableError extends Error {
  override readonly name = "AuditLogUnreadableError";
  /** The file system code (`ENOENT`, `EACCES`, `ENOTREG`, …). */
  readonly code: string;
  /** The path as given. */
  readonly file: string;

  constructor(file: string, code: string) {
    super(`cannot read the audit log ${file} (${code})`);
    this.file = file;
    this.code = code;
  }
}

/** A client class name as the factory writes it; anything else (a forged or scrubbed value) is not echoed. */
const CLIENT_SHAPE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
/**
 * Most groups kept: a forged log cannot grow memory without bound. Past the limit, a refusal for a new client is
 * counted in its code's group without a client (one per code, always kept).
 */
const MAX_GROUPS = 64;
const MAX_CLIENT_GROUPS = MAX_GROUPS - KEY_REFUSAL_CODES.size;

type Rec = Readonly<Record<string, unknown>>;

/** The member `a.b` of a parsed record, when it is a string. */
function stringAt(rec: Rec, a: string, b: string): string | undefined {
  const outer = rec[a];
  if (typeof outer !== "object" || outer === null) return undefined;
  const v = (outer as Record<string, unknown>)[b];
  return typeof v === "string" ? v : undefined;
}

/** Collects key refusals from records, grouped by code and client, inside [from, to]. */
class RefusalGroups {
  readonly #groups = new Map<string, KeyRefusal>();
  #clientGroups = 0;

  constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  add(rec: Rec): void {
    if (stringAt(rec, "event", "action") !== "refuse") return;
    const code = stringAt(rec, "error", "code");
    if (!isKeyRefusalCode(code)) return;
    const t = typeof rec.time === "string" ? Date.parse(rec.time) : Number.NaN;
    if (!Number.isFinite(t) || t < this.from || t > this.to) return;
    const at = new Date(t).toISOString();
    const raw = stringAt(rec, "acs", "client");
    let client = raw !== undefined && CLIENT_SHAPE.test(raw) ? raw : undefined;
    let key = `${code}\u0000${client ?? ""}`;
    if (client !== undefined && !this.#groups.has(key) && this.#clientGroups >= MAX_CLIENT_GROUPS) {
      client = undefined;
      key = `${code}\u0000`;
    }
    const g = this.#groups.get(key);
    if (g === undefined) {
      if (client !== undefined) this.#clientGroups++;
      this.#groups.set(key, { code, ...(client !== undefined ? { client } : {}), count: 1, first: at, last: at });
      return;
    }
    g.count++;
    if (at < g.first) g.first = at;
    if (at > g.last) g.last = at;
  }

  list(): KeyRefusal[] {
    return [...this.#groups.values()].sort(
      (a, b) => b.count - a.count || a.code.localeCompare(b.code) || (a.client ?? "").localeCompare(b.client ?? ""),
    );
  }
}

/** Verifies one log (a file or a directory of rotated files), feeding its verified records to `groups`. */
async function verifyOne(file: string, groups: RefusalGroups, loggerMode: boolean): Promise<AuditLogVerdict> {
  let result: VerifyLogResult;
  try {
    result = await verifyLog(file, { loggerMode, onRecord: (rec) => groups.add(rec) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AuditLogUnreadableError(file, typeof code === "string" ? code : "error");
  }
  // The verifier's reasons already start with the first problem (where, kind, message): printed once.
  return {
    file,
    verdict: result.status,
    records: result.records,
    reasons: [...result.reasons],
    warnings: [...result.warnings],
  };
}

/**
 * The files a log stands for, by device and inode: the file itself, or the regular files of a directory of rotated
 * files. The same file given again (another spelling, a link, or inside a directory given too) would count twice.
 */
function fileIdentities(path: string): string[] {
  const id = (p: string): string[] => {
    try {
      const st = statSync(p);
      return st.isFile() ? [`${st.dev}:${st.ino}`] : [];
    } catch {
      return []; // gone or unreadable: the verifier says so for the log it belongs to
    }
  };
  if (!statSync(path).isDirectory()) return id(path);
  return readdirSync(path).flatMap((name) => id(join(path, name)));
}

/**
 * Reads this app's evidence from its audit logs: each verified on its own (streamed), and the key refusals of the
 * verified records whose time is in `[from, to]`. `loggerMode`: the logs are a host logger's (or a captured stdout's)
 * output, whose lines that are not records are skipped (`verify-log --logger`).
 * @throws AuditLogUnreadableError when a log cannot be read; TypeError when one is given twice (it would count twice).
 */
export async function readAppEvidence(
  files: readonly string[],
  from: Date,
  to: Date,
  loggerMode = false,
): Promise<AppEvidence> {
  const seen = new Set<string>();
  for (const file of files) {
    try {
      accessSync(file, constants.R_OK); // every log readable before the first (possibly large) one is read
    } catch (error) {
      throw new AuditLogUnreadableError(file, (error as NodeJS.ErrnoException).code ?? "error");
    }
    for (const id of fileIdentities(file)) {
      if (seen.has(id)) throw new TypeError(`the audit log ${file} is given twice (or a file of it is)`);
      seen.add(id);
    }
  }
  const groups = new RefusalGroups(from.getTime(), to.getTime());
  const logs: AuditLogVerdict[] = [];
  for (const file of files) logs.push(await verifyOne(file, groups, loggerMode));
  return { logs, keyRefusals: groups.list() };
}
