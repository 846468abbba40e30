/**
 * Where a value inside an ARM resource body ends up (ARM JSON and Bicep share the resource schemas): app settings,
 * connection-string settings, container environment variables, Key Vault secrets, nested deployment parameters.
 * Both analysers turn a resource body into a {@link TreeValue} and call {@link resourceFlows}.
 */
import type { IacPosition, SinkKind } from "./model.js";

/** A JSON-like value tree whose leaves are language-specific expressions. */
export type TreeValue<E> =
  | { kind: "object"; entries: { key: string; at: IacPosition; value: TreeValue<E> }[]; at: IacPosition }
  | { kind: "array"; items: TreeValue<E>[]; at: IacPosition }
  | { kind: "leaf"; expr: E; at: IacPosition };

/** The entry `key` of an object value (case-insensitive), if any. */
export function entryOf<E>(value: TreeValue<E> | undefined, key: string): TreeValue<E> | undefined {
  if (value?.kind !== "object") return undefined;
  const k = key.toLowerCase();
  return value.entries.find((e) => e.key.toLowerCase() === k)?.value;
}

interface SinkHit {
  sink: SinkKind;
  name: string;
}

function classify(type: string, resourceName: string, path: string[], itemName: string | undefined): SinkHit {
  const p = path.map((s) => s.toLowerCase());
  const joined = p.join(".");
  const label = (fallback: string) => itemName ?? fallback;
  const last = resourceName.toLowerCase();
  if (type === "microsoft.web/sites" || type === "microsoft.web/sites/slots") {
    if (joined.startsWith("properties.siteconfig.appsettings"))
      return { sink: "app-setting", name: label("appSettings") };
    if (joined.startsWith("properties.siteconfig.connectionstrings"))
      return { sink: "connection-string-setting", name: label("connectionStrings") };
  }
  if (type === "microsoft.web/sites/config" || type === "microsoft.web/sites/slots/config") {
    if (/appsettings/.test(last) && p[0] === "properties")
      return { sink: "app-setting", name: path[1] ?? "appsettings" };
    if (/connectionstrings/.test(last) && p[0] === "properties")
      return { sink: "connection-string-setting", name: path[1] ?? "connectionstrings" };
    if (joined.startsWith("properties.appsettings")) return { sink: "app-setting", name: label("appSettings") };
    if (joined.startsWith("properties.connectionstrings"))
      return { sink: "connection-string-setting", name: label("connectionStrings") };
  }
  if (type === "microsoft.app/containerapps" || type === "microsoft.app/jobs") {
    if (p.includes("env")) return { sink: "container-env", name: label("env") };
    if (p.includes("secrets")) return { sink: "container-env", name: `secret ${label("secrets")}` };
  }
  if (type === "microsoft.containerinstance/containergroups" || type === "microsoft.resources/deploymentscripts") {
    if (p.includes("environmentvariables")) return { sink: "container-env", name: label("environmentVariables") };
  }
  if (type === "microsoft.keyvault/vaults/secrets")
    return { sink: "key-vault-secret", name: resourceName.replace(/^['"[]+|['"\]]+$/g, "") || "secret" };
  if (type === "microsoft.appconfiguration/configurationstores/keyvalues")
    return { sink: "app-setting", name: resourceName || "key-value" };
  if (
    type === "microsoft.resources/deployments" &&
    p[0] === "properties" &&
    p[1] === "parameters" &&
    path[2] !== undefined
  ) {
    return { sink: "module-parameter", name: path[2] };
  }
  return { sink: "resource-property", name: `${type} ${path.join(".")}` };
}

/**
 * Every key flow inside a resource body. `taint(expr)` returns what carries a key (for the message) or undefined;
 * `literal(expr)` returns a string literal's value (for setting names).
 */
export function resourceFlows<E>(
  type: string,
  resourceName: string,
  body: TreeValue<E>,
  taint: (expr: E) => string | undefined,
  literal: (expr: E) => string | undefined,
): { sink: SinkKind; name: string; at: IacPosition; via: string }[] {
  const out: { sink: SinkKind; name: string; at: IacPosition; via: string }[] = [];
  const t = type.toLowerCase();
  const walk = (value: TreeValue<E>, path: string[], itemName: string | undefined) => {
    if (value.kind === "leaf") {
      const via = taint(value.expr);
      if (via !== undefined) out.push({ ...classify(t, resourceName, path, itemName), at: value.at, via });
      return;
    }
    if (value.kind === "array") {
      for (const item of value.items) {
        const nameValue = entryOf(item, "name");
        const name = nameValue?.kind === "leaf" ? literal(nameValue.expr) : undefined;
        walk(item, [...path, "[]"], name ?? itemName);
      }
      return;
    }
    for (const e of value.entries) {
      if (
        path.length === 0 &&
        ["name", "dependson", "scope", "parent", "type", "apiversion", "location", "condition"].includes(
          e.key.toLowerCase(),
        )
      )
        continue;
      walk(e.value, [...path, e.key], itemName);
    }
  };
  walk(body, [], undefined);
  return out;
}
