import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class MailtargetApi implements ICredentialType {
	name = 'mailtargetApi';

	displayName = 'Mailtarget Open API';

	icon: Icon = { light: 'file:mailtarget.svg', dark: 'file:mailtarget.dark.svg' };

	documentationUrl = 'https://github.com/crm-bridge/n8n-nodes-mailtarget#mailtarget-open-api-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Open API Secret Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The Open API secret key from your Mailtarget account manager (not the sending API key). Lets the trigger register its webhook URL for you.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.mailtarget.co/v1',
			description: 'The address of Mailtarget\'s Open API. Change it only if Mailtarget gave you another one.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/webhook-events', qs: { page: 1, size: 1 } },
	};
}
