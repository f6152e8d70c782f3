/**
 * The runs filter, shared by the runs page (as you type) and GET /api/runs?filter=TEXT, so both pick the same runs.
 * Case-insensitive; every whitespace-separated term must match:
 * - `name:TEXT`, `model:TEXT`, `status:TEXT`: TEXT is part of the run's name, of its run.json `config.model`
 *   (the preset or model file), or of its status (run.json's, or the liveness: live, stalled, stopped);
 * - `latent:N` (also `latent=N`, `latent N`): the latent size is exactly N;
 * - any other term: part of the name, the model or the status, or (a number) exactly the latent size.
 */
import type { RunSummary } from './api-types';

type Field = 'name' | 'model' | 'status' | 'latent';
interface Term {
  field: Field | null;
  text: string;
}
const FIELDS: readonly string[] = ['name', 'model', 'status', 'latent'];

export function parseRunFilter(filter: string): Term[] {
  const normalized = filter.toLowerCase().replace(/\blatent\s*[=:]?\s*(\d+)\b/g, 'latent:$1');
  return normalized.split(/\s+/).filter((t) => t !== '').map((term) => {
    const colon = term.indexOf(':');
    const field = colon > 0 ? term.slice(0, colon) : '';
    return FIELDS.includes(field) ? { field: field as Field, text: term.slice(colon + 1) } : { field: null, text: term };
  });
}

/** Whether `run` matches every term of `filter` (an empty filter matches every run). */
export function runMatches(run: RunSummary, filter: string | Term[]): boolean {
  const terms = typeof filter === 'string' ? parseRunFilter(filter) : filter;
  if (terms.length === 0) return true;
  const name = run.name.toLowerCase();
  const model = (run.run?.config.model ?? '').toLowerCase();
  const statuses = [run.run?.status ?? '', run.liveness.state];
  const isLatent = (text: string) => /^\d+$/.test(text) && Number(text) === run.latentDim;
  const inStatus = (text: string) => statuses.some((s) => s.includes(text));
  return terms.every(({ field, text }) => {
    if (field === 'name') return name.includes(text);
    if (field === 'model') return model.includes(text);
    if (field === 'status') return inStatus(text);
    if (field === 'latent') return isLatent(text);
    return name.includes(text) || model.includes(text) || inStatus(text) || isLatent(text);
  });
}
