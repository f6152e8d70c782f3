export { startViewerServer, createRequestHandler } from './server';
export type { ViewerServer, ViewerServerOptions } from './server';
export type { AcceptGolden } from './accept';
export type * from '../shared/api-types';
