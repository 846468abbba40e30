/**
 * Appends `items` to `target` one by one. `target.push(...items)` passes every item as an argument, and a file can
 * hold enough findings (a few hundred thousand in a 4 MiB file of connection-string fragments) to overflow the stack.
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
