/** Where a key lands in a Terraform resource: the sink kind and name for an attribute path (`terraformModel.ts`). */
import type { SinkKind } from "./model.js";

const WEB_APP =
  /^azurerm_(?:(?:linux|windows)_(?:web|function)_app|app_service|function_app|logic_app_standard)(?:_slot)?$/;

/**
 * The sink of a key found at `path` (attribute and nested block names) in a resource of `type`; `entryName` is the
 * map key or list item `name` it sits under, `blockName` the resource's `name` attribute.
 */
export function classifyTerraform(
  type: string,
  path: string[],
  entryName: string | undefined,
  blockName: string | undefined,
): { sink: SinkKind; name: string } {
  const [first] = path;
  const lastAttr = path[path.length - 1];
  if (WEB_APP.test(type) || /^azurerm_.*(?:app|function)/.test(type)) {
    if (first === "app_settings" || (first === "site_config" && path.includes("app_settings")))
      return { sink: "app-setting", name: entryName ?? "app_settings" };
    if (first === "connection_string")
      return { sink: "connection-string-setting", name: blockName ?? "connection_string" };
  }
  if (path.includes("app_settings")) return { sink: "app-setting", name: entryName ?? "app_settings" };
  if (path.some((p) => p === "env" || /environment_variables$/.test(p)))
    return { sink: "container-env", name: entryName ?? blockName ?? "env" };
  if (type === "azurerm_container_app" || type === "azurerm_container_app_job") {
    if (path.includes("env")) return { sink: "container-env", name: blockName ?? "env" };
    if (first === "secret") return { sink: "container-env", name: `secret ${blockName ?? ""}`.trim() };
  }
  if (type === "azurerm_container_group" && /environment_variables$/.test(lastAttr ?? ""))
    return { sink: "container-env", name: entryName ?? lastAttr };
  if (type === "azurerm_key_vault_secret") return { sink: "key-vault-secret", name: blockName ?? "secret" };
  if (type === "azurerm_app_configuration_key") return { sink: "app-setting", name: attrTextFallback(blockName) };
  if (/^kubernetes_(secret|config_map)(_v1)?$/.test(type)) return { sink: "container-env", name: entryName ?? type };
  return { sink: "resource-property", name: `${type} ${path.join(".")}` };
}

const attrTextFallback = (n: string | undefined) => n ?? "key";
