export * from '../../tools/node-red/nodeRedProcess';
