/**
 * The metric gates of a suite: each gated metric of the candidate paired with the baseline, image by
 * image, and judged by verdicts.ts against the suite's margin, noise and hand-set floor. A gate fails
 * on "worse" or on a floor violation.
 */
import type { GateResult, Suite } from '@cvae/formats';
import { BaselineValues, gatedMetrics } from './baseline';
import type { PerImageValues } from './metrics';
import { gateResult, pairedDifference } from '@cvae/formats';

export function evaluateGates(suite: Suite, baseline: BaselineValues, candidate: PerImageValues): GateResult[] {
  return gatedMetrics(suite).map((metric) => {
    const gate = suite.gates.metrics[metric];
    const base = baseline.values[metric];
    const values = candidate[metric];
    if (gate === undefined || base === undefined || values === undefined) throw new Error(`gate ${metric}: no values to compare`);
    return gateResult(metric, pairedDifference(base, values), gate, suite.gates.z);
  });
}
