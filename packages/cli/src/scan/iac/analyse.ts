/** Picks the analyser for a file (ARM, Bicep, Terraform) and applies the shared IaC rules to its model. */
import { dirname, resolve } from "node:path";
import type { ScanFinding } from "../finding.js";
import { analyseArm } from "./armModel.js";
import { analyseBicep } from "./bicepModel.js";
import type { IacHost, IacModel, UnanalysedFile } from "./model.js";
import { iacFindings } from "./rules.js";
import { analyseTerraform } from "./terraformModel.js";

/** The IaC language of a file name, if any. */
export function iacLanguage(name: string): "arm" | "bicep" | "terraform" | undefined {
  const n = name.toLowerCase();
  if (n.endsWith(".bicep")) return "bicep";
  if (n.endsWith(".tf") || n.endsWith(".tf.json")) return "terraform";
  if (n.endsWith(".json") || n.endsWith(".jsonc")) return "arm";
  return undefined;
}

// A file can only hold an IaC finding if it mentions ACS, or uses modules / nested deployments whose outputs may.
const PREFILTER: Record<"arm" | "bicep" | "terraform", RegExp> = {
  arm: /communication|listkeys|Microsoft\.Resources\/deployments/i,
  bicep: /communication|listkeys|^\s*module\s/im,
  terraform: /communication|^\s*module\s|azapi_resource_action/im,
};

/**
 * The model of one IaC file, or undefined when it is not one (a JSON file that is not a deployment template).
 * `path` is the file's absolute path (for modules and Terraform sibling files, read through `host`).
 * @throws when the file itself cannot be analysed (a JsonSyntaxError for a template that is not JSON, a RangeError
 * for one nested deeper than the stack allows, …); a module or sibling file that cannot be is in `unanalysed` instead
 */
export function analyseIacFile(path: string, text: string, host?: IacHost): IacModel | undefined {
  const language = iacLanguage(path);
  if (language === undefined || !PREFILTER[language].test(text)) return undefined;
  // A JSON file without "resources" cannot be a template (package-lock.json mentions @azure/communication-* too).
  if (language === "arm") return /"resources"\s*:/.test(text) ? analyseArm(text) : undefined;
  if (language === "bicep") {
    const read =
      host === undefined
        ? undefined
        : (from: string, relative: string) => {
            const target = resolve(dirname(from), relative);
            const content = host.read(target);
            return content === undefined ? undefined : { path: target, text: content };
          };
    return analyseBicep(path, text, read).model;
  }
  return analyseTerraform(path, text, host);
}

/**
 * IaC findings for one file (none when it is not an IaC file), and the other files its analysis read but could not
 * parse. @throws as {@link analyseIacFile}
 */
export function iacFileFindings(
  display: string,
  path: string,
  text: string,
  host?: IacHost,
): { findings: ScanFinding[]; unanalysed: UnanalysedFile[] } {
  const model = analyseIacFile(path, text, host);
  if (model === undefined) return { findings: [], unanalysed: [] };
  return { findings: iacFindings(display, model), unanalysed: model.unanalysed ?? [] };
}
