export {
  baselineControls,
  type BaselineControl,
  type BaselineControlStatus,
  type BaselineFeature,
} from "./controls.js";
export { renderBaselineMarkdown, renderBaselineJson } from "./renderBaseline.js";
