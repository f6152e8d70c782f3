/**
 * A suite check's verdict (report.json) as a Markdown job summary (GitHub's $GITHUB_STEP_SUMMARY, or any
 * CI page that shows Markdown): the verdict, the metric gates with Δ ± SE, the goldens whose pixels
 * differ, the sample-quality numbers, obsolete goldens, and where the report is. Pure: report in,
 * string out (`cvae check --summary`).
 */
import * as path from 'path';
import { describeIdentity } from '@cvae/dataset';
import { type GateResult, type GoldenReport, type ImageSetQuality, METRIC_INFO, type QualityGateResult, type ReportEntry, type SetQualityBounds, formatNumber } from '@cvae/formats';
import { STATIC_REPORT_FILE } from './static-report';

export function summaryMarkdown(report: GoldenReport, reportDir: string): string {
  const sections = [
    verdictSection(report),
    gatesSection(report.gates),
    goldensSection(report.comparisons),
    report.quality === undefined ? [] : qualitySection(report.quality),
    obsoleteSection(report),
    [`Report: ${inline(path.join(reportDir, STATIC_REPORT_FILE))} (data: ${inline(path.join(reportDir, 'report.json'))})`],
  ];
  return `${sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

const mark = (passed: boolean) => (passed ? '✅' : '❌');

function verdictSection(report: GoldenReport): string[] {
  const lines = [
    `## ${mark(report.passed)} cvae check ${inline(report.suite.name)}: ${report.passed ? 'PASS' : 'FAIL'}`,
    '',
    `Checkpoint ${inline(report.checkpoint.path)}, dataset ${escapeMarkdown(describeIdentity(report.dataset))}, ${escapeMarkdown(report.backend)} (${escapeMarkdown(report.kernels)}).`,
  ];
  const model = report.model;
  if (model?.difference) lines.push('', `Another architecture than the suite's: ${escapeMarkdown(model.difference)} (gates paired on ${model.pairing === 'eps' ? 'the same eps draws' : 'images only'}).`);
  return lines;
}

function gatesSection(gates: GateResult[]): string[] {
  if (gates.length === 0) return [];
  const rows = gates.map((gate) => {
    const digits = METRIC_INFO[gate.metric]?.digits ?? 4;
    const value = (v: number | undefined) => (v === undefined ? '—' : formatNumber(v, digits));
    const verdict = [gate.verdict ?? 'no baseline', ...(gate.floorViolation === undefined ? [] : [`FLOOR: ${gate.floorViolation}`])].join('; ');
    return [`${gate.label} (${gate.unit})`, value(gate.baseline?.mean), value(gate.candidate.mean), pairedDelta(gate, digits), formatNumber(gate.margin, digits), `${mark(gate.passed)} ${verdict}`];
  });
  return ['### Metric gates', '', ...table(['gate', 'baseline', 'candidate', 'Δ ± SE (paired)', 'margin', 'verdict'], rows)];
}

/** Δ ± SE with the decimals the standard error needs (as the gate's own line), and how many images were paired. */
function pairedDelta(gate: GateResult, digits: number): string {
  if (gate.paired === null) return '—';
  const { delta, standardError, images } = gate.paired;
  const precise = Math.min(8, Math.max(digits, standardError > 0 ? Math.ceil(-Math.log10(standardError)) : digits));
  const signed = delta < 0 ? formatNumber(delta, precise) : `+${delta.toFixed(precise)}`;
  return `${signed} ± ${formatNumber(standardError, precise)} (${images.toLocaleString('en-US')} images)`;
}

function goldensSection(entries: ReportEntry[]): string[] {
  if (entries.length === 0) return [];
  const differing = entries.filter((e) => e.status !== 'pass');
  const head = `### Goldens: ${entries.length - differing.length} of ${entries.length} match`;
  if (differing.length === 0) return [head];
  const rows = differing.map((e) => [e.name, e.status, differingPixels(e), e.maxDelta === null ? '—' : `${e.maxDelta}/255`, `${e.thresholds.maxDiffPixels} at threshold ${e.thresholds.threshold}`]);
  return [head, '', ...table(['golden', 'status', 'differing pixels', 'max Δ', 'allowed'], rows)];
}

function differingPixels(e: ReportEntry): string {
  if (e.status === 'missing') return 'no golden';
  if (e.status === 'size-mismatch') return `size ${e.width}×${e.height}, golden ${e.expectedWidth}×${e.expectedHeight}`;
  if (e.diffPixels === null) return '—';
  const ratio = e.diffRatio === null ? '' : ` (${(100 * e.diffRatio).toFixed(3)}%)`;
  return `${e.diffPixels.toLocaleString('en-US')} of ${(e.width * e.height).toLocaleString('en-US')}${ratio}`;
}

function qualitySection(quality: QualityGateResult): string[] {
  const sets = [['prior samples', quality.result.samples, quality.bounds.samples], ['reconstructions', quality.result.reconstructions, quality.bounds.reconstructions]] as const;
  const withKid = sets.some(([, set]) => kidOf(set) !== null);
  const rows = sets.map(([name, set, bounds]) => [
    name,
    `${set.fid.toFixed(1)}${bounds?.maxFid === undefined ? '' : ` (≤ ${bounds.maxFid})`}`,
    ...(withKid ? [kidCell(set, bounds)] : []),
    `${set.minClass}: ${(100 * set.minClassShare).toFixed(1)}%${bounds?.minClassShare === undefined ? '' : ` (≥ ${(100 * bounds.minClassShare).toFixed(1)}%)`}`,
    set.entropy.toFixed(3),
    set.meanConfidence.toFixed(3),
  ]);
  const header = ['set', 'FID', ...(withKid ? ['KID (± sd)'] : []), 'smallest class', 'entropy (nats)', 'confidence'];
  const r = quality.result;
  return [
    `### ${mark(quality.passed)} Sample quality: ${quality.passed ? 'pass' : 'FAIL'}`,
    '',
    `Classifier ${inline(r.classifier.path)}, ${r.samples.images.toLocaleString('en-US')} prior samples (seed ${r.seed}), FID against ${r.testImages.toLocaleString('en-US')} test images.`,
    '',
    ...table(header, rows),
    ...(quality.violations.length === 0 ? [] : ['', ...quality.violations.map((v) => `- ❌ ${escapeMarkdown(v)}`)]),
  ];
}

/**
 * KID, when the report has it: `kid` of an image set's quality (and `kidStd`, its spread over the
 * subsets). Read by shape, so reports from before KID (and code built before it) render the same.
 */
export function kidOf(set: ImageSetQuality): { value: number; std?: number } | null {
  const { kid, kidStd } = set as { kid?: unknown; kidStd?: unknown };
  if (typeof kid !== 'number' || !Number.isFinite(kid)) return null;
  return typeof kidStd === 'number' ? { value: kid, std: kidStd } : { value: kid };
}

function kidCell(set: ImageSetQuality, bounds: SetQualityBounds | undefined): string {
  const kid = kidOf(set);
  if (kid === null) return '—';
  const bound = (bounds as { maxKid?: unknown } | undefined)?.maxKid;
  const std = kid.std === undefined ? '' : ` ± ${kid.std.toPrecision(2)}`;
  return `${kid.value.toPrecision(3)}${std}${typeof bound === 'number' ? ` (≤ ${bound})` : ''}`;
}

function obsoleteSection(report: GoldenReport): string[] {
  if (report.obsolete.length === 0) return [];
  return ['### Obsolete goldens', '', ...report.obsolete.map((o) => `- ${o.failed ? '❌' : '⚠️'} ${escapeMarkdown(o.message)}`)];
}

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- |').join('')}`, ...rows.map(line)];
}

/** A table cell is one line, and a `|` in it would start the next cell. */
function escapeCell(value: string): string {
  return escapeMarkdown(value).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Text from the report shown as text: no HTML (GitHub renders tags) and no accidental emphasis or links. */
function escapeMarkdown(value: string): string {
  return value.replace(/[\\`*_[\]<>]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

function inline(value: string): string {
  return `\`${value.replace(/`/g, "'")}\``;
}
