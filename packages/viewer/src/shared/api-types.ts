/** JSON shapes exchanged between the viewer server and the web app. Types only: the web bundle must not pull in @cvae/formats' Node code. */
import type { ComparisonStatus, GoldenReport, MetricRow, RunInfo } from '@cvae/formats';

export type { GoldenReport, MetricRow, RunInfo };

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
