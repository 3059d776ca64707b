import type { IDataObject, IWebhookDescription } from 'n8n-workflow';

/**
 * n8n 2.41 reads a webhook field straight from the node's parameters, without the expression sandbox, when it
 * finds a resolver under this registered symbol carrying the same template; older n8n evaluates the template.
 */
const NATIVE_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

// Both functions are inlined into their templates as source text, so they must not use anything from outside.
function responseModeOf(parameters: IDataObject): string {
	return parameters.responseMode === 'lastNode' ? 'lastNode' : 'onReceived';
}
function responseDataOf(parameters: IDataObject): string {
	return parameters.responseMode === 'lastNode' ? 'noData' : '';
}

function fromFunction(resolve: (parameters: IDataObject) => string) {
	return { template: `={{(${String(resolve)})($parameter)}}`, resolve };
}

const responseMode = fromFunction(responseModeOf);
const responseData = fromFunction(responseDataOf);

/**
 * "Immediately" answers 200 once n8n has the execution; "when stored" answers when the execution has finished
 * (an empty 200), or 500 when it failed, so Mailtarget sends the batch again.
 */
export const triggerWebhook: IWebhookDescription = {
	name: 'default',
	httpMethod: 'POST',
	path: 'webhook',
	responseMode: responseMode.template,
	responseData: responseData.template,
	[NATIVE_RESOLVERS]: { responseMode, responseData },
};
