export * from './metrics';
export * from './inverse-normal';
export * from './image-sets';
export * from './compare';
export * from './golden-store';
export * from './golden-check';
export * from './golden-render';
export * from './golden-update';
export * from './gates';
export * from './load';
export * from './paths';
export * from './provenance';
// The image and PNG helpers live in @cvae/model (training draws its sample grids with them too);
// re-exported for the CLI and the viewer's e2e fixtures, which import them from here.
export { decodePng, encodePng, probabilityToByte, writePng } from '@cvae/model';
export type { DecodedPng, Image8 } from '@cvae/model';
// The scatter renderer moved to @cvae/model (training writes each run's latent scatter); still exported from here.
export { DIGIT_COLORS, drawScatter } from '@cvae/model';
export type { ScatterOptions } from '@cvae/model';
