/**
 * The metric gates of a suite: each gated metric of the candidate paired with the baseline, image by
 * image, and judged by verdicts.ts against the suite's margin, noise and hand-set floor. A gate fails
 * on "worse" or on a floor violation — over all gate images and, when suite.json asks (`perClass`),
 * over each class's gate images alone: a model that forgets one digit keeps most of its mean.
 */
import type { GateClasses, GateResult, Suite } from '@cvae/formats';
import type { CVAE } from '@cvae/model';
import { BaselineValues, gatedMetrics } from './baseline';
import { EvaluationSource, testSetOf } from './load';
import type { PerImageValues } from './metrics';
import { gateResultWithClasses } from '@cvae/formats';

export function evaluateGates(suite: Suite, baseline: BaselineValues, candidate: PerImageValues, classes?: GateClasses): GateResult[] {
  return gatedMetrics(suite).map((metric) => {
    const gate = suite.gates.metrics[metric];
    const base = baseline.values[metric];
    const values = candidate[metric];
    if (gate === undefined || base === undefined || values === undefined) throw new Error(`gate ${metric}: no values to compare`);
    return gateResultWithClasses(metric, base, values, gate, suite.gates.z, classes);
  });
}

/** Whether any gate of the suite asks for per-class results. */
export function hasClassGates(suite: Suite): boolean {
  return gatedMetrics(suite).some((metric) => suite.gates.metrics[metric]?.perClass !== undefined);
}

/**
 * The labels of the gate images (paired by index with the per-image values) and the classes' names,
 * or undefined when the dataset has none (an unlabelled image folder).
 */
export function classesOfImages(set: { labels: Uint8Array; classes?: string[] }, count = set.labels.length): GateClasses | undefined {
  if (set.classes !== undefined && set.classes.length === 0) return undefined;
  const labels = set.labels.subarray(0, count);
  const names = set.classes ?? Array.from({ length: labels.reduce((max, l) => Math.max(max, l), 0) + 1 }, (_, label) => String(label));
  return { labels, names };
}

/**
 * The classes the suite's per-class gates need: undefined when it asks for none (nothing is loaded).
 * A suite that asks for them on an unlabelled dataset is refused in one line.
 */
export function gateClassesFor(model: CVAE, source: Pick<EvaluationSource, 'dataDir' | 'imageOptions'>, suite: Suite, suiteFile = 'suite.json'): GateClasses | undefined {
  if (!hasClassGates(suite)) return undefined;
  const classes = classesOfImages(testSetOf(source, model, suite.gates.images), suite.gates.images);
  if (classes === undefined) throw new Error(`${suiteFile}: gates ask for perClass, but the dataset has no labels (an unlabelled image folder); remove perClass`);
  return classes;
}

/** What `cvae check` prints under a gate with per-class results: one line per failing class, else the summary. */
export function perClassLines(gate: GateResult): string[] {
  if (gate.perClass === undefined) return [];
  const failing = gate.perClass.classes.filter((c) => !c.passed);
  return failing.length === 0 ? [`  ${gate.perClass.summary}`] : failing.map((c) => `  FAIL ${c.message}`);
}
