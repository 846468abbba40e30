/**
 * `acs-baseline verify-log FILE… [--public-key PEM_FILE] [--anchor FILE|URL] [--anchor-allowed-host HOST]… [--max-gap DURATION] [--at TIME] [--logger] [--json]`:
 * verifies audit log files (or a directory of rotated files) as one chain.
 * Exit 0: intact; 1: tampered or incomplete; 2: bad usage or unreadable input.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { verifyLog } from "acs-baseline/internal";
import type { VerifyLogOptions, VerifyLogResult } from "acs-baseline/internal";
import { escapeForTerminal } from "acs-baseline/internal";
import type { CliCommand, CliIo } from "../io.js";
import { EXIT_USAGE, jsonForTerminal, println, usageError } from "../io.js";

const USAGE = `Usage: acs-baseline verify-log FILE|DIR… [--public-key PEM_FILE] [--anchor FILE|URL] [--anchor-allowed-host HOST]…
                           [--max-gap DURATION] [--at TIME] [--logger] [--json]

Verifies acs-baseline audit logs (JSON lines, schema acs-baseline.audit/1). Several files, or a directory of rotated
files (x.log.2, x.log.1, x.log), are verified as one chain, oldest first. Every line must be a record in its
canonical form.
  exit 0  intact
  exit 1  tampered (edited, inserted, removed, reordered, re-encoded, forged checkpoint) or incomplete (cut tail,
          unsealed records, no signed checkpoint with --public-key, an empty file the anchor says had records, an
          anchor that also holds another log's checkpoints)
  exit 2  bad usage, or a file, key or anchor that cannot be read
Options:
  --public-key PEM_FILE  the checkpoint key's public half (SPKI PEM): checkpoints must be signed with it, and every
                         record sealed by one
  --anchor FILE|URL      the off-host copy (a file anchor, or the append blob's https URL): a later checkpoint there
                         than in the file is a cut tail. A URL is read with the Microsoft Entra credential the
                         environment configures (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH, …)
  --anchor-allowed-host HOST
                         also allow this storage host for --anchor URL (repeatable; "*.example.net" is any
                         subdomain). Default: only *.blob.core.windows.net, *.blob.core.usgovcloudapi.net and
                         *.blob.core.chinacloudapi.cn; a local emulator (Azurite on 127.0.0.1) must be named here
  --max-gap DURATION     e.g. 90s, 5m: the longest silence accepted between heartbeats (in the file and the anchor)
                         and before --at. Default: twice the heartbeat interval the log's log.open declares
  --at TIME              the time of verification (ISO 8601, default now): an unclosed log's last heartbeat must be
                         within the max gap of it
  --logger               the file is your pino logger's output: lines that are not records are skipped and counted
                         (", N other lines skipped"; --json: otherLines)
  --json                 print { status, records, checkpoints, firstBadLine?, reasons, … }
  -h, --help`;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `5m`, `1h`, `250ms`, `1.5h`; a bare number is seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (m === null) return undefined;
  return Number(m[1]) * (UNITS[m[2] ?? "s"] ?? 1000);
}

/** A host name or `*.suffix` pattern for --anchor-allowed-host: no scheme, path, port or user-info. */
const HOST_PATTERN =
  /^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

async function readAnchor(
  source: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  extraHosts: readonly string[],
): Promise<Iterable<string> | AsyncIterable<string>> {
  if (/^https:\/\//i.test(source)) {
    // The blob anchor, read with the Entra credential the environment configures (as fromEnvironment builds it);
    // @azure/storage-blob is loaded only here. Hosts named with --anchor-allowed-host are added to the default storage
    // hosts, never instead of the checks (https, no SAS, no key, Entra token only).
    const { checkAnchorUrl, credentialFromEnvironment, openAnchorStream, anchorLinesOf, DEFAULT_STORAGE_HOSTS } =
      await import("acs-baseline/internal");
    const allowedHosts = extraHosts.length > 0 ? [...DEFAULT_STORAGE_HOSTS, ...extraHosts] : undefined;
    checkAnchorUrl(source, allowedHosts); // a SAS, a key or a foreign host is refused before any credential is built
    // streamed like a file anchor: 1 MiB per line, 1 GiB in total
    const chunks = await openAnchorStream(source, {
      credential: credentialFromEnvironment(env),
      ...(allowedHosts !== undefined ? { allowedHosts } : {}),
    });
    return anchorLinesOf(chunks);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source))
    throw Object.assign(new Error("only https URLs"), { code: "ERR_INVALID_URL_SCHEME" });
  // Streamed, 1 MiB per line, 1 GiB in total; unreadable, a FIFO, a device or a directory → exit 2 before anything else.
  const { streamAnchorFile } = await import("acs-baseline/internal");
  return streamAnchorFile(resolve(cwd, source));
}

/**
 * The anchor source as it may be printed: a file path as given; a URL only as scheme, host and path — never its
 * user-info, query or fragment — and without the path when it holds key material (`;AccountKey=`, `sig=`, …).
 */
export function describeAnchorSource(source: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(source)) return source;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return "the URL given";
  }
  let path = url.pathname;
  try {
    path = decodeURIComponent(decodeURIComponent(path));
  } catch {
    // keep the raw path for the check below
  }
  const keyed =
    /accountkey|sharedaccesssignature|defaultendpointsprotocol|sig\s*=|[;@=]/i.test(path) ||
    /accountkey|sig\s*=/i.test(url.pathname);
  return `${url.protocol}//${url.host}${keyed ? "/…" : url.pathname}`;
}

function render(result: VerifyLogResult): string[] {
  const out: string[] = [];
  const range =
    result.records > 0 ? ` (seq ${result.firstSeq}..${result.lastSeq}${result.closed ? ", closed" : ""})` : "";
  const cps =
    result.checkpoints > 0
      ? `, ${result.checkpoints} checkpoints${result.sealedSeq !== undefined ? ` (sealed to seq ${result.sealedSeq})` : ""}`
      : "";
  // --logger: the host's own lines, skipped and counted (--json: otherLines)
  const other =
    result.otherLines > 0 ? `, ${result.otherLines} other line${result.otherLines === 1 ? "" : "s"} skipped` : "";
  if (result.status === "tampered" && result.problem !== undefined) {
    const p = result.problem;
    out.push(
      `TAMPERED: ${p.file !== undefined ? `${p.file}:${p.line}` : `line ${p.line}`}${p.seq === undefined ? "" : ` (seq ${p.seq})`}: ${p.kind}: ${p.message}`,
    );
    out.push(
      `the ${result.records} records before it verify${result.records > 0 ? ` (seq ${result.firstSeq ?? "-"}..${result.lastSeq ?? "-"})` : ""}`,
    );
  } else if (result.status === "incomplete") {
    out.push(`INCOMPLETE: ${result.records} records${range}${cps}${other}`);
    for (const r of result.reasons) out.push(`reason: ${r}`);
  } else {
    out.push(`intact: ${result.records} records${range}${cps}${other}`);
  }
  for (const w of result.warnings) out.push(`warning: ${w}`);
  return out.map(escapeForTerminal);
}

type VerifyLogFlags = {
  json?: boolean;
  help?: boolean;
  "public-key"?: string;
  anchor?: string;
  "anchor-allowed-host"?: string[];
  "max-gap"?: string;
  at?: string;
  logger?: boolean;
};

/** The extra anchor hosts, checked; or the usage error to print. */
function anchorHosts(values: VerifyLogFlags): string[] | { error: string } {
  const extraHosts = values["anchor-allowed-host"] ?? [];
  if (extraHosts.some((host) => !HOST_PATTERN.test(host)))
    return {
      error: `--anchor-allowed-host takes a host name such as 127.0.0.1 or *.blob.core.example.net (no scheme, port or path)\n\n${USAGE}`,
    };
  if (extraHosts.length > 0 && !/^https:\/\//i.test(values.anchor ?? ""))
    return { error: `--anchor-allowed-host applies only to an --anchor https URL\n\n${USAGE}` };
  return extraHosts;
}

/** Longest public-key file read: an SPKI PEM is a few hundred bytes; a certificate chain a few KiB. */
const MAX_PUBLIC_KEY_BYTES = 64 * 1024;

/** A file error with a system-like code, for the usage message. */
function fileError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

/**
 * The PEM text of the `--public-key` file, read through one non-blocking descriptor: a FIFO or a device (`/dev/zero`)
 * given by mistake or planted in place of the key must not hang or exhaust the command (ENOTREG, EFBIG); a file
 * without a PEM block is not read as a path to yet another file (ENOTPEM).
 */
function readPublicKeyPem(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fileError("ENOTREG");
    if (st.size > MAX_PUBLIC_KEY_BYTES) throw fileError("EFBIG");
    const text = readFileSync(fd, "utf8");
    if (!text.includes("-----BEGIN")) throw fileError("ENOTPEM");
    return text;
  } finally {
    closeSync(fd);
  }
}

/** The verifier's options from the flags (reading the public key and the anchor); or the usage error to print. */
async function verifyOptions(values: VerifyLogFlags, io: CliIo): Promise<VerifyLogOptions | { error: string }> {
  const extraHosts = anchorHosts(values);
  if (!Array.isArray(extraHosts)) return extraHosts;
  const options: VerifyLogOptions = { loggerMode: values.logger === true };
  if (values["max-gap"] !== undefined) {
    const ms = parseDuration(values["max-gap"]);
    if (ms === undefined) return { error: `--max-gap takes a duration such as 90s, 5m or 1h\n\n${USAGE}` };
    options.maxGapMs = ms;
  }
  if (values.at !== undefined) {
    const at = values.at === "now" ? Date.now() : Date.parse(values.at);
    if (!/^(now|\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2}))$/.test(values.at) || !Number.isFinite(at))
      return {
        error: `--at takes an ISO 8601 time with a zone, such as 2026-12-06T20:00:00Z, or now\n\n${USAGE}`,
      };
    options.at = at;
  }
  if (values["public-key"] !== undefined) {
    try {
      const { loadPublicKey } = await import("acs-baseline/internal");
      options.publicKey = loadPublicKey(readPublicKeyPem(resolve(io.cwd, values["public-key"])));
    } catch (e) {
      return {
        error: `cannot use --public-key ${escapeForTerminal(values["public-key"])} (${escapeForTerminal((e as NodeJS.ErrnoException).code ?? (e as Error).message)})`,
      };
    }
  }
  if (values.anchor !== undefined) {
    try {
      options.anchorLines = await readAnchor(values.anchor, io.cwd, io.env, extraHosts);
      options.missingAsEmpty = true; // the anchor decides whether a missing file lost records
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "error";
      return {
        error: `cannot read the anchor ${escapeForTerminal(describeAnchorSource(values.anchor))} (${escapeForTerminal(code)})`,
      };
    }
  }
  return options;
}

/** Prints the verdict (JSON or text) and returns the exit code. */
function printResult(io: CliIo, result: VerifyLogResult, positionals: string[], json: boolean): number {
  const code = result.status === "intact" ? 0 : 1;
  if (json) {
    const { status, records, checkpoints, firstBadLine, reasons, ...rest } = result;
    const files = positionals.length === 1 ? { file: positionals[0] } : { files: positionals };
    println(
      io.stdout,
      jsonForTerminal({
        status,
        records,
        checkpoints,
        ...(firstBadLine !== undefined ? { firstBadLine } : {}),
        reasons,
        ...files,
        ...rest,
      }),
    );
    return code;
  }
  for (const line of render(result)) println(io.stdout, line);
  return code;
}

export const verifyLogCommand: CliCommand = async (args, io) => {
  let values: VerifyLogFlags;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        "public-key": { type: "string" },
        anchor: { type: "string" },
        "anchor-allowed-host": { type: "string", multiple: true },
        "max-gap": { type: "string" },
        at: { type: "string" },
        logger: { type: "boolean" },
      },
    }));
  } catch (e) {
    return usageError(io, "verify-log", (e as Error).message, USAGE);
  }
  if (values.help === true) {
    println(io.stdout, USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    return usageError(io, "verify-log", "expected at least one FILE or directory", USAGE);
  }
  const options = await verifyOptions(values, io);
  if ("error" in options) {
    println(io.stderr, `acs-baseline verify-log: ${options.error}`);
    return EXIT_USAGE;
  }
  let result: VerifyLogResult;
  try {
    result = await verifyLog(
      positionals.map((f) => resolve(io.cwd, f)),
      options,
    );
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    println(
      io.stderr,
      `acs-baseline verify-log: cannot read ${escapeForTerminal(positionals.join(" "))} (${escapeForTerminal(code)})`,
    );
    return EXIT_USAGE;
  }
  return printResult(io, result, positionals, values.json === true);
};
