export * from './grid';
export * from './png';
export * from './scatter';
