export * from './grid';
export * from './png';
export * from './gif';
export * from './scatter';
export * from './files';
export * from './lock';
export * from './process-identity';
export * from './worker';
