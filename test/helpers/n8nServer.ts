export * from '../../tools/n8n/n8nServer';
export * from '../../tools/n8n/postgres';
