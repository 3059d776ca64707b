import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class MailtargetWebhookApi implements ICredentialType {
	name = 'mailtargetWebhookApi';

	displayName = 'Mailtarget Webhook';

	icon: Icon = { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' };

	documentationUrl = 'https://github.com/crm-bridge/n8n-nodes-mailtarget#mailtarget-webhook-credential';

	properties: INodeProperties[] = [
		{
			displayName:
				'Fill in what the trigger checks: the signing secret for "Signature", the Basic auth user and password for "Basic Auth" (what you entered on the webhook in the Mailtarget dashboard), or all of them for both.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The shared secret Mailtarget signs each request with (HMAC-SHA256 in the X-Mailtarget-Signature header). Used when the trigger checks signatures. Paste it exactly: a space or line break copied with it makes every request fail with 401.',
		},
		{
			displayName: 'Previous Signing Secret',
			name: 'previousSigningSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'While you change the secret, put the old one here so requests signed with either are accepted. Clear it once Mailtarget uses the new one.',
		},
		{
			displayName: 'Basic Auth User',
			name: 'basicAuthUser',
			type: 'string',
			default: '',
			description: 'The username you entered for Basic auth on the webhook in the Mailtarget dashboard. Used when the trigger checks Basic auth.',
		},
		{
			displayName: 'Basic Auth Password',
			name: 'basicAuthPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The password you entered for Basic auth on the webhook in the Mailtarget dashboard. Use a long random one: it is all that protects the webhook.',
		},
	];
}
