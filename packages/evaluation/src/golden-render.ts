import { loadSplit } from '@cvae/dataset';
import { encodePng, type Image8 } from '@cvae/images';
import { type CVAE } from '@cvae/model';
import type { GoldenThresholds } from './compare';
import { GoldenConfig, GoldenProvenance, readGoldenConfig, selectImages, specOf, thresholdsFor } from './golden-store';
import { renderImageSet } from './image-sets';
import type { EvaluationSource } from './load';

/** One configured golden, freshly rendered from a model: what check and update both start from. */
export interface RenderedGolden {
  name: string;
  image: Image8;
  png: Uint8Array;
  provenance: GoldenProvenance;
  thresholds: GoldenThresholds;
}

export function provenanceFor(config: GoldenConfig, name: string, source: EvaluationSource): GoldenProvenance {
  return { ...specOf(config.images[name]), checkpoint: source.checkpoint, backend: source.backend };
}

/** Reads golden.config.json and renders the selected images (default: all configured). */
export async function renderGoldens(
  model: CVAE,
  source: EvaluationSource,
  goldensDir: string,
  names?: string[],
): Promise<{ rendered: RenderedGolden[] }> {
  const config = await readGoldenConfig(goldensDir);
  const testSet = loadSplit('test');
  const rendered = selectImages(config, names).map((name) => {
    const image = renderImageSet(model, specOf(config.images[name]), testSet);
    return { name, image, png: encodePng(image), provenance: provenanceFor(config, name, source), thresholds: thresholdsFor(config, name) };
  });
  return { rendered };
}
