/** JSON shapes exchanged between the viewer server and the web app. Types only: the web bundle must not pull in @cvae/formats' Node code. */
import type { ComparisonStatus, MetricRow, RunInfo } from '@cvae/formats';

export type { MetricRow, RunInfo };

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
  latentDim: number | null;
  /** One line per malformed file of the run (file and field), from the @cvae/formats schemas. */
  problems: string[];
}

export type GoldenStatus = ComparisonStatus;

export interface GoldenResultView {
  name: string;
  kind: string;
  /** How the image set was drawn (from the report), for captions; null when the report lacks it. */
  seed: number;
  grid: number;
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
  createdAt: string;
  checkpoint: string;
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
