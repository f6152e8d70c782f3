export * from './cvae';
export * from './loss';
export * from './metrics';
export * from './checkpoint';
export { fileSystemIOHandler, modelJsonForArtifacts, MODEL_JSON_FILE, WEIGHTS_FILE } from './fs-io-handler';
export type { FileSystemIOHandlerOptions } from './fs-io-handler';
export * from './latent-scatter';
export * from './speed';
export * from './latent-plane';
