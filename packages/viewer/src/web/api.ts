import type { AcceptResponse, ReportResponse, RunSummary, ViewerConfig } from '../shared/api-types';

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export const fetchConfig = () => getJson<ViewerConfig>('/api/config');
export const fetchRuns = async () => (await getJson<{ runs: RunSummary[] }>('/api/runs')).runs;
export const fetchReport = async () => (await getJson<ReportResponse>('/api/report')).report;

export async function acceptGolden(name: string): Promise<AcceptResponse> {
  const response = await fetch('/api/accept', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
  const body = (await response.json()) as AcceptResponse | { error: string };
  if (!response.ok) throw new Error('error' in body ? body.error : `HTTP ${response.status}`);
  return body as AcceptResponse;
}
