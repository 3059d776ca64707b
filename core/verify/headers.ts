export type HeaderValue = string | string[] | undefined;
export type Headers = Record<string, HeaderValue>;

/** Reads a header whatever the case of its name; the first value when repeated. */
export function getHeader(headers: Headers, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const key of Object.keys(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		const value = headers[key];
		return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}
