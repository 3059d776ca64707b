export type JsonObject = Record<string, unknown>;

/**
 * One Mailtarget event as the trigger emits it: every field received, plus the
 * envelope's `batchId`/`retryCount` and the normalised `type`, `occurredAt` and `metadata`.
 */
export interface MailtargetEvent extends JsonObject {
	/** Lower-case event type read from `status`, `event` or `type`; `''` when none. */
	type: string;
	/** ISO-8601 UTC time of the event, or `null` when the timestamp is missing or unparsable. */
	occurredAt: string | null;
	/** The send's metadata, merged from `recipientMeta` (JSON string), `metadata` and `rcpt_meta`. */
	metadata: Record<string, unknown>;
	batchId: string | null;
	retryCount: number | null;
}
