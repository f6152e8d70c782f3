export * from './idx';
export * from './mnist';
export * from './preprocess';
export * from './batches';
export * from './random';
export * from './info';
export * from './load';
export * from './identity';
