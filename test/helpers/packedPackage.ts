export * from '../../tools/node-red/packedPackage';
