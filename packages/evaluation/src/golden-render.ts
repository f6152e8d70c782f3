import type { GoldenThresholds, Suite } from '@cvae/formats';
import { encodePng, type Image8 } from '@cvae/images';
import { type CVAE } from '@cvae/model';
import { GoldenProvenance, selectImages, specOf, thresholdsFor } from './golden-store';
import { renderImageSet } from './image-sets';
import { EvaluationSource, testSetOf } from './load';

/** One image of a suite, freshly rendered from a model: what check and update both start from. */
export interface RenderedGolden {
  name: string;
  image: Image8;
  png: Uint8Array;
  provenance: GoldenProvenance;
  thresholds: GoldenThresholds;
}

export function provenanceFor(suite: Suite, name: string, source: Pick<EvaluationSource, 'checkpoint' | 'backend'>): GoldenProvenance {
  return { ...specOf(suite.images[name]), checkpoint: source.checkpoint, backend: source.backend };
}

/** Renders the selected images of a suite (default: all) on the source's dataset. */
export function renderGoldens(model: CVAE, source: EvaluationSource, suite: Suite, names?: string[]): RenderedGolden[] {
  const testSet = testSetOf(source, model);
  return selectImages(suite, names).map((name) => {
    const image = renderImageSet(model, specOf(suite.images[name]), testSet);
    return { name, image, png: encodePng(image), provenance: provenanceFor(suite, name, source), thresholds: thresholdsFor(suite, name) };
  });
}
