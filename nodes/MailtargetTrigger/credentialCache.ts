import type { IWebhookFunctions } from 'n8n-workflow';

/** What is needed of a webhook (trigger) or execute (Mailtarget Verify) context. */
type CredentialContext = Pick<IWebhookFunctions, 'getNode' | 'getWorkflow' | 'getCredentials'>;

/**
 * How long a process reuses a decrypted webhook credential before reading it again. In n8n 2.41
 * every `getCredentials()` from `webhook()` resolves the credential's expressions in a fresh
 * expression sandbox (an isolated-vm isolate under the default `vm` engine), which costs about
 * as much as the whole rest of the request; reading it once a minute removes that cost from the
 * accepted path. A refused request always re-reads it (see `MailtargetTrigger.webhook`), so a new
 * secret works at once; a secret removed from the credential keeps verifying for at most this long.
 */
export const CREDENTIAL_REUSE_MS = 60_000;
const MAX_ENTRIES = 500;

interface Entry {
	value: unknown;
	readAt: number;
}

const entries = new Map<string, Entry>();

/** One entry per workflow, node and chosen credential, so a change of credential is a new key. */
function cacheKey(context: CredentialContext, type: string): string {
	const node = context.getNode();
	const chosen = node.credentials?.[type];
	return JSON.stringify([context.getWorkflow().id ?? '', node.name, type, chosen?.id ?? '', chosen?.name ?? '']);
}

/** The node's credential of `type`, read through n8n unless this process read it less than a minute ago. */
export async function reusedCredential<T extends object>(context: CredentialContext, type: string, options: { fresh: boolean }): Promise<{ credential: T; reused: boolean }> {
	const key = cacheKey(context, type);
	const now = Date.now();
	const entry = entries.get(key);
	if (!options.fresh && entry && now - entry.readAt >= 0 && now - entry.readAt < CREDENTIAL_REUSE_MS) return { credential: entry.value as T, reused: true };
	const credential = await context.getCredentials<T & object>(type);
	if (entries.size >= MAX_ENTRIES && !entries.has(key)) entries.clear();
	entries.set(key, { value: credential, readAt: now });
	return { credential: credential as T, reused: false };
}
