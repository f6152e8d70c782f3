export * from './grid';
export * from './png';
