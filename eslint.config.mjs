import tseslint from 'typescript-eslint';
import { configs as n8nCommunityNodes } from '@n8n/eslint-plugin-community-nodes';

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'tools/**', 'node-red/**', 'scripts/**', '*.js', '*.mjs'] },
	{
		files: ['core/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { projectService: false } },
		...n8nCommunityNodes.recommended,
	},
];
