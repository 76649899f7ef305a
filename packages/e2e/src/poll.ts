/**
 * Polls until `check` passes: it waits for an event (a server unsealing, a log line appearing) and
 * never asserts on how long that took. The bound only turns a hang into a readable failure.
 */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}
