/**
 * The guard in front of every template the analysers parse (the scanned file itself, and the Terraform sibling files
 * and modules read for it): on a stack under 2 MiB a template nested deeper than {@link maxTemplateDepth} is not
 * parsed, since V8's own limit may then not stop the recursion before the real stack ends (a crash, not an error).
 */
import { bracketDepth } from "../code/jsAnalysis.js";
import { maxTemplateDepth } from "../code/stackSize.js";

/** A template nested deeper than this process's stack lets the analysers recurse; its message is fixed words. */
export class TemplateTooDeepError extends Error {
  constructor() {
    super("nested too deep for this process's stack");
    this.name = "TemplateTooDeepError";
  }
}

/** Checks that a template can be parsed on this process's stack. @throws TemplateTooDeepError */
export function checkTemplateDepth(text: string): void {
  const limit = maxTemplateDepth();
  if (text.length > limit && bracketDepth(text) > limit) throw new TemplateTooDeepError();
}
