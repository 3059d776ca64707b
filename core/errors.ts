export type MailtargetErrorCode =
	| 'INVALID_JSON'
	| 'INVALID_SHAPE'
	| 'INVALID_EVENT'
	| 'MISCONFIGURED';

/** The one error type of core; adapters translate `code` into their host's error. */
export class MailtargetError extends Error {
	constructor(
		readonly code: MailtargetErrorCode,
		message: string,
	) {
		super(message);
		this.name = 'MailtargetError';
	}
}
