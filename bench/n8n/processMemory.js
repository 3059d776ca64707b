'use strict';
const fs = require('fs');

/** Peak resident memory (VmHWM) of a process and its current children, in MiB; undefined once it is gone. */
function peakRssMiB(pid) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = /VmHWM:\s+(\d+) kB/.exec(status);
		return match ? Math.round(Number(match[1]) / 1024) : undefined;
	} catch {
		return undefined;
	}
}

module.exports = { peakRssMiB };
