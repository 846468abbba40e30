/**
 * A compact human rendering of audit records (for demos and terminals; the JSON lines stay the source of truth).
 */
import { escapeForTerminal } from "../../text/terminal.js";
import { AUDIT_SCHEMA } from "./canonical.js";

export { escapeForTerminal };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined =>
  typeof v === "string" || typeof v === "number" ? escapeForTerminal(String(v)) : undefined;

/**
 * Renders one record as a single readable line, e.g.
 * `20:03:25.129Z INFO  #2 request ✓ SmsClient POST /sms → 202 12ms [IM-1 LT-4] req=1111… corr=…`.
 * Non-record values are rendered as JSON.
 * @public
 */
export function formatAuditRecord(record: unknown): string {
  const r = obj(record);
  if (r.schema !== AUDIT_SCHEMA) return escapeForTerminal(JSON.stringify(record) ?? String(record));
  const ev = obj(r.event);
  const log = obj(r.log);
  const time = str(r.time) ?? "";
  const parts: string[] = [
    time.includes("T") ? time.slice(time.indexOf("T") + 1) : time,
    (str(r.level) ?? "info").toUpperCase().padEnd(5),
  ];
  if (r.seq !== undefined) parts.push(`#${str(r.seq)}`);
  parts.push(str(ev.action) ?? "?", ev.outcome === "success" ? "ok" : "FAILED");
  const acs = obj(r.acs);
  if (acs.client !== undefined) parts.push(str(acs.client)!);
  const http = obj(r.http);
  if (http.method !== undefined) {
    parts.push(`${str(http.method)} ${str(http.path) ?? ""}`);
    if (http.status !== undefined) parts.push(`-> ${str(http.status)}`);
    if (http.durationMs !== undefined) parts.push(`${str(http.durationMs)}ms`);
  }
  const token = obj(r.token);
  if (token.expiresOn !== undefined) parts.push(`expires ${str(token.expiresOn)}`);
  const controls = obj(r.baseline).controls;
  if (Array.isArray(controls) && controls.length > 0) parts.push(`[${controls.map((c) => str(c) ?? "?").join(" ")}]`);
  if (ev.reason !== undefined) parts.push(`reason: ${str(ev.reason)}`);
  const err = obj(r.error);
  if (err.code !== undefined || err.message !== undefined)
    parts.push(`error: ${[str(err.code), str(err.message)].filter(Boolean).join(" ")}`);
  if (Array.isArray(r.variables) && r.variables.length > 0)
    parts.push(`variables: ${r.variables.map((v) => str(v) ?? "?").join(", ")}`);
  const cp = obj(r.checkpoint);
  if (cp.seq !== undefined)
    parts.push(`seals #${str(cp.seq)}${cp.sig !== undefined ? ` signed ${str(cp.keyId) ?? ""}` : " unsigned"}`);
  if (log.reason !== undefined)
    parts.push(
      `(${str(log.reason)}${log.break !== undefined ? `: ${str(log.break)} ${str(log.breakBytes) ?? "?"} bytes` : ""})`,
    );
  const posture = obj(r.posture);
  if (posture.check !== undefined) parts.push(`posture ${str(posture.check) ?? ""} ${str(posture.status) ?? ""}`);
  const cert = obj(r.certificate);
  if (cert.notAfter !== undefined)
    parts.push(`certificate expires ${str(cert.notAfter)} (${str(cert.daysRemaining) ?? "?"} days)`);
  if (log.records !== undefined) parts.push(`${str(log.records)} records`);
  const p = obj(r.principal);
  const who = [str(p.credentialType), p.clientId !== undefined ? `client ${str(p.clientId)!.slice(0, 8)}…` : undefined]
    .filter(Boolean)
    .join(" ");
  if (who !== "")
    parts.push(
      `(${who}${p.certificateThumbprint !== undefined ? ` cert ${str(p.certificateThumbprint)!.slice(0, 12)}…` : ""})`,
    );
  if (http.requestId !== undefined) parts.push(`req=${str(http.requestId)}`);
  if (http.correlationId !== undefined) parts.push(`corr=${str(http.correlationId)}`);
  return parts.join(" ");
}

/**
 * Renders a whole log (JSON lines) with {@link formatAuditRecord}; lines that are not JSON are marked.
 * @public
 */
export function formatAuditLog(text: string): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.push(`(unreadable line: ${line.length} characters)`);
      continue;
    }
    out.push(formatAuditRecord(value));
  }
  return out.join("\n");
}
