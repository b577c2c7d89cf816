/**
 * Asks `done` every `everyMs` until it says yes or `ms` have passed, and returns its last answer. A deadline,
 * not a number of tries: how long one try takes depends on the machine's load and on how commands reach a node.
 */
export async function waitFor(done: () => Promise<boolean> | boolean, ms: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
