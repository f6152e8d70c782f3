import type { AcceptResponse, CompareResponse, LatentResponse, RunSummary, SuiteReportResponse, SuiteSummary, ViewerConfig } from '../shared/api-types';

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `${url}: HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}

export const fetchConfig = () => getJson<ViewerConfig>('/api/config');
export const fetchRuns = async () => (await getJson<{ runs: RunSummary[] }>('/api/runs')).runs;
export const fetchSuites = async () => (await getJson<{ suites: SuiteSummary[] }>('/api/suites')).suites;
export const fetchSuiteReport = (suite: string) => getJson<SuiteReportResponse>(`/api/report?suite=${encodeURIComponent(suite)}`);

/** The URL of a path of a suite's report.json (paths there are relative to reports/<suite>/). */
export function reportFileUrl(suite: string, relativePath: string): string {
  return `/reports/${encodeURIComponent(suite)}/${relativePath.split('/').map(encodeURIComponent).join('/')}`;
}
export const fetchCompare = (baseline: string) => getJson<CompareResponse>(`/api/compare?baseline=${encodeURIComponent(baseline)}`);
export const fetchLatent = (run: string) => getJson<LatentResponse>(`/api/latent?run=${encodeURIComponent(run)}`);

/** Accept needs this server process's token, which only a same-origin page can read from /api/config. */
export async function acceptGolden(suite: string, name: string, token: string): Promise<AcceptResponse> {
  const headers = { 'Content-Type': 'application/json', 'X-CVAE-Accept-Token': token };
  const response = await fetch('/api/accept', { method: 'POST', headers, body: JSON.stringify({ suite, name }) });
  const body = (await response.json()) as AcceptResponse | { error: string };
  if (!response.ok) throw new Error('error' in body ? body.error : `HTTP ${response.status}`);
  return body as AcceptResponse;
}
