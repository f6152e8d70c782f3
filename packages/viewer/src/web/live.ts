import type { RunSummary } from '../shared/api-types';
import { fetchRuns } from './api';

/**
 * Calls `onRuns` with fresh runs whenever the server says the runs directory changed (server-sent events
 * on /api/events; EventSource reconnects by itself after a server restart). Returns the unsubscribe.
 */
export function followRuns(onRuns: (runs: RunSummary[]) => void): () => void {
  const source = new EventSource('/api/events');
  let inFlight = false;
  let again = false;
  const refresh = async () => {
    if (inFlight) {
      again = true; // changes during a fetch are fetched once more afterwards, not lost
      return;
    }
    inFlight = true;
    try {
      onRuns(await fetchRuns());
    } catch {
      // the next event retries; a failed poll must not break the page
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };
  source.addEventListener('runs', () => void refresh());
  return () => source.close();
}
