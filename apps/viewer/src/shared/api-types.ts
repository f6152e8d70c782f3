/** JSON shapes exchanged between the viewer server and the web app. */

export interface ViewerConfig {
  /** True only when the server was started with --allow-accept. */
  allowAccept: boolean;
}

/** One line of runs/<name>/metrics.jsonl. Fields are optional: older runs may lack some. */
export interface MetricRow {
  epoch: number;
  step?: number;
  trainLoss?: number;
  testElbo?: number;
  testElboStdErr?: number;
  reconMse?: number;
  kl?: number;
  epochSeconds?: number;
  imagesPerSecond?: number;
}

export interface RunSummary {
  name: string;
  /** Parsed run.json, or null when it is missing or not valid JSON. */
  run: Record<string, unknown> | null;
  metrics: MetricRow[];
  /** URLs of samples/epoch-NNNN.png, in epoch order. */
  samples: { epoch: number; url: string }[];
  progressGifUrl: string | null;
  /** URL of samples/latent-scatter.png (test-set posterior means by digit; written by training for a 2-D latent). */
  latentScatterUrl: string | null;
  /** URL of checkpoints/last/decoder/model.json when the run has a checkpoint. */
  decoderUrl: string | null;
  latentDim: number | null;
}

export type GoldenStatus = 'pass' | 'fail' | 'missing' | 'size-mismatch';

export interface GoldenResultView {
  name: string;
  kind: string;
  /** How the image set was drawn (from the report), for captions; null when the report lacks it. */
  seed: number | null;
  grid: number | null;
  status: GoldenStatus;
  expectedUrl: string | null;
  actualUrl: string | null;
  diffUrl: string | null;
  differingPixels: number | null;
  ratio: number | null;
  maxDelta: number | null;
  threshold: number | null;
  allowedPixels: number | null;
  /** The evaluation's one-line explanation of the result. */
  message: string;
  /** The golden was accepted (viewer or `cvae golden update`) after this report was made. */
  acceptedSinceReport: boolean;
}

export interface ReportView {
  createdAt: string | null;
  checkpoint: string | null;
  results: GoldenResultView[];
}

export interface ReportResponse {
  report: ReportView | null;
}

export interface AcceptResponse {
  accepted: string;
}

export interface ErrorResponse {
  error: string;
}

/** Golden names: lowercase words joined by dashes (also safe as a file name). */
export const GOLDEN_NAME_PATTERN = /^[a-z0-9-]+$/;
