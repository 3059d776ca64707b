import { closeSync, fsyncSync, openSync } from 'fs';

/** Makes a rename or a new file in `dir` durable, where the platform lets a directory be opened. */
export function fsyncDir(dir: string): void {
	try {
		const fd = openSync(dir, 'r');
		try {
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
	} catch {
		// Some platforms cannot open a directory; the rename itself is still atomic there.
	}
}
