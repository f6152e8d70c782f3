import { Classifier, ClassifierArchitecture } from './network';

/**
 * A worker thread's classifier: built once per architecture (synchronously, from the data in the
 * request) and set to the weights each request carries unless they are the ones it already has.
 */
export class WorkerClassifier {
  private classifier: Classifier | undefined;
  private architectureKey = '';
  private weightsKey: string | undefined;

  /** `weightsKey` (e.g. the weights file's sha256) lets repeated requests skip setting the same weights. */
  withWeights(architecture: ClassifierArchitecture, weights: Float32Array, weightsKey?: string): Classifier {
    const key = JSON.stringify(architecture);
    if (this.classifier === undefined || key !== this.architectureKey) {
      this.classifier?.dispose();
      this.classifier = Classifier.create({ seed: 0, architecture });
      this.architectureKey = key;
      this.weightsKey = undefined;
    }
    if (weightsKey === undefined || weightsKey !== this.weightsKey) {
      this.classifier.setFlatWeights(weights);
      this.weightsKey = weightsKey;
    }
    return this.classifier;
  }
}
