/** Test module with no `runTask` export: a worker given it must fail to start, naming the module. */
export const somethingElse = 1;
