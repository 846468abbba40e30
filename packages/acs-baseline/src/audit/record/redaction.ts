/**
 * Value scrubbing for audit records. The scrubber itself is plain text handling and lives in `text/scrub.ts` (the
 * guard and the tools use it too); this file keeps the audit log's name for it.
 */
export {
  GUID_SHAPE,
  MAX_TEXT_LENGTH,
  REDACTED,
  THUMBPRINT_SHAPE,
  keepIfShaped,
  maskPhoneNumber,
  scrubPath,
  scrubText,
} from "../../text/scrub.js";
