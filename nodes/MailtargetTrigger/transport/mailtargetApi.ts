import {
	NodeApiError,
	type IDataObject,
	type IHookFunctions,
	type IHttpRequestMethods,
	type JsonObject,
} from 'n8n-workflow';

/**
 * Calls Mailtarget's Open API with the `mailtargetApi` credential; the only place HTTP errors
 * become NodeApiError. Answers `undefined` for a 404.
 */
export async function mailtargetApiRequest<T = unknown>(
	context: IHookFunctions,
	method: IHttpRequestMethods,
	path: string,
	body?: IDataObject,
	qs?: IDataObject,
): Promise<T | undefined> {
	const credentials = await context.getCredentials<{ baseUrl?: string }>('mailtargetApi');
	const baseUrl = (credentials.baseUrl || 'https://api.mailtarget.co/v1').replace(/\/+$/, '');
	try {
		const response = (await context.helpers.httpRequestWithAuthentication.call(context, 'mailtargetApi', {
			method,
			url: `${baseUrl}${path}`,
			body,
			qs,
			json: true,
		})) as { data?: T };
		return response?.data as T;
	} catch (error) {
		const apiError = new NodeApiError(context.getNode(), error as JsonObject);
		// A webhook deleted in the dashboard is not an error for checkExists/delete.
		if (String(apiError.httpCode) === '404') return undefined;
		throw apiError;
	}
}
