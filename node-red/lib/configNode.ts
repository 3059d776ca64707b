import type { Node } from './types';

export interface MailtargetConfigCredentials {
	signingSecret?: string;
	previousSigningSecret?: string;
	basicAuthUser?: string;
	basicAuthPassword?: string;
}

export interface MailtargetConfigNode extends Node<MailtargetConfigCredentials> {
	/** The secrets to verify with: each credential, or the environment variable named for it when the credential is empty. */
	secrets(): Required<MailtargetConfigCredentials>;
}
