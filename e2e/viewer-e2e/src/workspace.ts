import * as path from 'path';

/** Names and paths of the fixture workspace that global-setup builds and the tests read. */
export const RUN_NAME = 'e2e-run';
export const EPOCHS = 3;
/** run.json's backend.reason, which the runs page shows as the backend's tooltip. */
export const RUN_BACKEND_REASON = 'cpu: requested';
/** The golden global-setup corrupts, so the report holds exactly one failing comparison. */
export const FAILING_GOLDEN = 'prior-grid';
export const GOLDEN_THRESHOLDS = { threshold: 0.1, maxDiffPixels: 0 };
/** The fixture's one golden suite (suites/<name>, its report in reports/<name>). */
export const SUITE_NAME = 'fixture';

/**
 * Runs trained for real by `cvae train` in global setup (same seed, data and test images): a latent-8 and
 * a latent-2 run to compare and explore, and one killed with -9 mid-epoch (run.json still says running).
 */
export const TRAINED = {
  latent8: { name: 'latent8', latentDim: 8 },
  latent2: { name: 'latent2', latentDim: 2 },
} as const;
export const TRAINED_EPOCHS = 2;
export const TRAINED_TEST_IMAGES = 500;
export const CRASHED_RUN = 'crashed';
/**
 * A run of a 16×16 RGB model with the discretized logistic likelihood (@cvae/model's convRgbArchitecture), its
 * checkpoint made by global setup, and an image folder of RGB PNGs as its dataset (`datasets/<dataset>/`).
 */
export const RGB_RUN = { name: 'rgb16', side: 16, latentDim: 4, dataset: 'colours', testImages: 24 } as const;
/** The run the live test trains while the pages are open. */
export const LIVE_RUN = 'live';

export function workspacePaths() {
  const root = process.env.CVAE_VIEWER_E2E_ROOT;
  if (!root) throw new Error('CVAE_VIEWER_E2E_ROOT is not set (run through playwright.config.ts)');
  const runDir = path.join(root, 'runs', RUN_NAME);
  return {
    root,
    runsDir: path.join(root, 'runs'),
    suitesDir: path.join(root, 'suites'),
    suiteDir: path.join(root, 'suites', SUITE_NAME),
    reportsDir: path.join(root, 'reports'),
    reportDir: path.join(root, 'reports', SUITE_NAME),
    runDir,
    checkpointDir: path.join(runDir, 'checkpoints', 'last'),
    rgbRunDir: path.join(root, 'runs', RGB_RUN.name),
    rgbDataDir: path.join(root, 'datasets', RGB_RUN.dataset),
  };
}
