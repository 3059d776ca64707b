/** A pause that does not keep jest's process alive on its own. */
export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms).unref());

/** Polls `check` every `everyMs` until it holds; throws "timed out waiting for <what>" after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, everyMs = 250): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(everyMs);
	}
}
