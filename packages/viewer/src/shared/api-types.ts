/** JSON shapes exchanged between the viewer server and the web app. Types only: the web bundle must not pull in @cvae/formats' Node code. */
import type { ComparisonStatus, GoldenReport, InputShape, Likelihood, MetricRow, PerImageMetricName, RunInfo, TrainingProgress, Verdict } from '@cvae/formats';

export type { GoldenReport, InputShape, MetricRow, PerImageMetricName, RunInfo, TrainingProgress };

export type LikelihoodKind = Likelihood['kind'];

/**
 * What the browser needs to turn the decoder's output into pictures, from the checkpoint manifest's architecture:
 * the image's [height, width, channels] (1 grey, 3 RGB) and how the output is read (bernoulli: one logit per
 * channel, shown as its sigmoid; discretized-logistic: the channels' means on [-1, 1], then their log-scales).
 */
export interface ImageModel {
  inputShape: InputShape;
  likelihood: LikelihoodKind;
}

/** What the served page needs to know; the Accept token is given only when Accept is enabled. */
export type ViewerConfig = { allowAccept: false } | { allowAccept: true; acceptToken: string };

export interface RunSummary {
  name: string;
  /** run.json, or null when it is missing or malformed (then `problems` says why). */
  run: RunInfo | null;
  metrics: MetricRow[];
  /** URLs of samples/epoch-NNNN.png, in epoch order. */
  samples: { epoch: number; url: string }[];
  progressGifUrl: string | null;
  /** URL of samples/latent-scatter.png (test-set posterior means by digit; written by training for a 2-D latent). */
  latentScatterUrl: string | null;
  /** URL of checkpoints/last/decoder/model.json when the run has a checkpoint. */
  decoderUrl: string | null;
  /** The epoch of checkpoints/last (its manifest), null when the run has none. */
  checkpointEpoch: number | null;
  latentDim: number | null;
  /** The images of checkpoints/last's model (its manifest's architecture), null when the run has no checkpoint. */
  imageModel: ImageModel | null;
  /** progress.json: where the trainer is in the current epoch (null when the run has none). */
  progress: TrainingProgress | null;
  /** Whether a trainer is writing the run now (from run.json, the run lock and progress.json). */
  liveness: Liveness;
  /** test-metrics.json: the epoch and size of the run's per-image test metrics, null when it has none. */
  testMetrics: { epoch: number; count: number } | null;
  /** One line per malformed file of the run (file and field), from the @cvae/formats schemas. */
  problems: string[];
}

/**
 * live: a trainer holds the run and wrote progress recently; stalled: it holds the run but has been silent
 * for long; stopped: run.json says running but its process is gone; finished: completed, interrupted or failed.
 */
export type LivenessState = 'live' | 'stalled' | 'stopped' | 'finished' | 'unknown';
export interface Liveness {
  state: LivenessState;
  /** One line: the status, the pid, or why the run is not live. */
  reason: string;
}

export interface PairedMetric {
  metric: PerImageMetricName;
  /** Mean of candidate − baseline over the test images. */
  delta: number;
  standardError: number;
  /** What the standard error of Δ would be without pairing. */
  unpairedStandardError: number;
  /** The practical margin δ the verdict was judged against (@cvae/formats' DEFAULT_MARGINS). */
  margin: number;
  verdict: Verdict;
}

export type CompareRow =
  | { run: string; status: 'paired'; epoch: number; metrics: PairedMetric[]; note: string | null }
  | { run: string; status: 'unavailable'; reason: string };

/** GET /api/compare?baseline=NAME: every other run paired with the baseline image by image, where possible. */
export interface CompareResponse {
  baseline: string;
  baselineEpoch: number | null;
  rows: CompareRow[];
}

/** GET /api/latent?run=NAME: the test set in the run's latent space (checkpoints/last), for the explorer. */
export interface LatentResponse {
  run: string;
  epoch: number;
  latentDim: number;
  /** The encoded checkpoint's images: the shape of the pickable images and of what its decoder draws. */
  imageModel: ImageModel;
  count: number;
  /** count × latentDim float32, little-endian, base64. */
  means: string;
  /** count digit labels, uint8, base64. */
  labels: string;
  /** The means' first two principal components (unit vectors) and their share of the variance; null for a 1-D latent. */
  principal: { u: number[]; v: number[]; explained: [number, number] } | null;
  /**
   * The first test images as the model sees them, height × width × channels bytes each (NHWC; round(value·255):
   * 0 or 255 for binarized data, the 8-bit levels otherwise), base64: the ones a user can pick.
   */
  images: { count: number; pixels: string };
}

export type GoldenStatus = ComparisonStatus;

/** One suite of the suites directory, for the review page's picker. */
export interface SuiteSummary {
  name: string;
  /** One line when suite.json is malformed (then the lists are empty). */
  problem: string | null;
  images: string[];
  gates: string[];
  checkpoint: string | null;
  /** The latest report's verdict, or null when the suite was never checked. */
  report: { passed: boolean; createdAt: string } | null;
}

/** GET /api/report?suite=NAME: the report.json of reports/NAME (format 2), as the static report renders it. */
export interface SuiteReportResponse {
  report: GoldenReport | null;
  /** Goldens accepted (viewer or CLI) after this report was written. */
  acceptedSinceReport: string[];
}

export interface AcceptResponse {
  accepted: string;
}

export interface ErrorResponse {
  error: string;
}
