import { fstatSync, ftruncateSync, writeSync } from 'fs';

/**
 * Appends all of `text` or nothing. On a nearly full disk one write may take only part of it (and
 * the next one fails with ENOSPC); the part already written is cut off again, so that the journal
 * never holds half a line another line would be appended to.
 */
export function writeAll(fd: number, text: string): void {
	const bytes = Buffer.from(text, 'utf8');
	let written = 0;
	try {
		while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
	} catch (error) {
		if (written > 0) {
			try {
				ftruncateSync(fd, fstatSync(fd).size - written);
			} catch {
				// The line stays torn; reading a journal skips a line that does not parse.
			}
		}
		throw error;
	}
}
