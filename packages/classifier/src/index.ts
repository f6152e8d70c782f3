export * from './network';
export * from './predict';
export * from './train';
export * from './files';
export * from './augment';
export { assertClassifierFits, classifyOnThreads, CLASSIFIER_TASKS, FEATURES_CHUNK } from './threaded';
export type { ThreadedClassifier, ThreadedOptions, ThreadedSource } from './threaded';
export type { SampleImages } from './features-task';
