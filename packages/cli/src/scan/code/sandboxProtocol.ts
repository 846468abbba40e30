/**
 * What the parser sandbox's child and supervisor agree on beyond their JSON lines (a module of its own, so that the
 * supervisor loads neither the child's script nor the analysis).
 */

/**
 * The exit code of a sandbox child that stops after a file to be replaced by a fresh one: the parser's native memory
 * (its arena) stays resident after a parse (1.4 `f<A<` thousand: 543 MiB held after the file, with or without a heap
 * collection), so a child that still holds half its memory limit would leave the next file too little. The supervisor
 * starts a fresh child on the files after the last one answered; it is not a failure.
 */
export const SANDBOX_RECYCLE_EXIT_CODE = 75;

/**
 * The sandbox child's memory limit whatever the file size limit (see `sandboxMemoryLimit`), and the supervisor's when
 * a request names none: a 5 MB minified bundle peaked at 315 MiB.
 */
export const SANDBOX_MIN_MEMORY_BYTES = 512 * 1024 * 1024;
