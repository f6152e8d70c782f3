/**
 * summaryMarkdown on a real failing report and the same report made to pass: the verdict heading, the
 * gate table (Δ ± SE, verdict), the goldens that differ with their pixel counts, FID (KID only when the
 * report has it), obsolete goldens, the report path; tables whose every row has the header's cells.
 */
import type { GoldenReport } from '@cvae/formats';
import { summaryMarkdown } from './summary';
import { failingReport, passingReport } from './test-utils/reports';

const REPORT_DIR = 'reports/reference';

/** The Markdown tables of a document: each a list of rows, each row its cells (split on unescaped `|`). */
function tables(markdown: string): string[][][] {
  const result: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
    if (current === null) result.push((current = []));
    current.push(cells);
  }
  return result;
}

/** Every table well-formed: a delimiter row under the header, every row as wide as the header. */
function expectWellFormedTables(markdown: string): string[][][] {
  const found = tables(markdown);
  for (const table of found) {
    expect(table.length).toBeGreaterThanOrEqual(2);
    expect(table[1].every((cell) => cell === '---')).toBe(true);
    for (const row of table) expect(row.length).toBe(table[0].length);
  }
  return found;
}

const tableAfter = (markdown: string, heading: RegExp) => tables(markdown.slice(markdown.search(heading)))[0];

describe('summaryMarkdown', () => {
  it('a passing report: PASS, every gate with Δ ± SE and its verdict, no golden table, FID, no KID column, the report path', () => {
    const markdown = summaryMarkdown(passingReport(), REPORT_DIR);
    expectWellFormedTables(markdown);
    expect(markdown.split('\n')[0]).toBe('## ✅ cvae check `reference`: PASS');
    const gates = tableAfter(markdown, /^### Metric gates$/m);
    expect(gates[0]).toEqual(['gate', 'baseline', 'candidate', 'Δ ± SE (paired)', 'margin', 'verdict']);
    expect(gates[2]).toEqual(['ELBO (nats/image)', '−156.46', '−162.72', '−6.25 ± 0.22 (10,000 images)', '0.50', '✅ unchanged']);
    expect(gates).toHaveLength(2 + 4);
    expect(markdown).toContain('### Goldens: 3 of 3 match\n\n###');
    const quality = tableAfter(markdown, /^### ✅ Sample quality: pass$/m);
    expect(quality[0]).toEqual(['set', 'FID', 'smallest class', 'entropy (nats)', 'confidence']);
    expect(quality[2]).toEqual(['prior samples', '93.1 (≤ 130)', '8: 1.7% (≥ 0.5%)', '2.117', '0.872']);
    expect(markdown).not.toContain('KID');
    expect(markdown).not.toContain('Obsolete');
    expect(markdown.trimEnd().split('\n').at(-1)).toBe('Report: `reports/reference/index.html` (data: `reports/reference/report.json`)');
  });

  it('a failing report: FAIL, the failed gates with their floors, each differing golden with its pixel counts, the quality violation', () => {
    const markdown = summaryMarkdown(failingReport(), REPORT_DIR);
    expectWellFormedTables(markdown);
    expect(markdown.split('\n')[0]).toBe('## ❌ cvae check `reference`: FAIL');
    const gates = tableAfter(markdown, /^### Metric gates$/m);
    expect(gates.slice(2).map((row) => row[5])).toEqual([
      '❌ worse; FLOOR: ELBO −162.72 is below the floor −160.00',
      '✅ changed',
      '❌ worse; FLOOR: reconstruction MSE 0.06538 is above the floor 0.06450',
      '❌ worse; FLOOR: reconstruction cross-entropy 156.55 is above the floor 155.00',
    ]);
    expect(gates[4][3]).toBe('+0.00286 ± 0.00010 (10,000 images)');
    expect(markdown).toContain('### Goldens: 0 of 3 match');
    expect(tableAfter(markdown, /^### Goldens/m).slice(2)).toEqual([
      ['prior', 'fail', '26,862 of 53,361 (50.340%)', '241/255', '0 at threshold 0.005682'],
      ['recon', 'fail', '3,341 of 16,473 (20.282%)', '163/255', '0 at threshold 0.005682'],
      ['manifold', 'fail', '159,266 of 335,241 (47.508%)', '245/255', '0 at threshold 0.00947'],
    ]);
    expect(markdown).toContain('### ❌ Sample quality: FAIL');
    expect(markdown).toContain('\n- ❌ prior samples: FID 146.2 &gt; 130\n');
  });

  it('only the goldens that differ are listed; missing and size-mismatched ones say so', () => {
    const report = passingReport();
    const [prior, recon] = report.comparisons;
    report.comparisons = [{ ...prior, status: 'missing', diffPixels: null, diffRatio: null, maxDelta: null }, { ...recon, status: 'size-mismatch', expectedWidth: 10, expectedHeight: 20, diffPixels: null, diffRatio: null, maxDelta: null }, report.comparisons[2]];
    const rows = tableAfter(summaryMarkdown({ ...report, passed: false }, REPORT_DIR), /^### Goldens: 1 of 3 match$/m).slice(2);
    expect(rows).toEqual([
      ['prior', 'missing', 'no golden', '—', '0 at threshold 0.005682'],
      ['recon', 'size-mismatch', 'size 289×57, golden 10×20', '—', '0 at threshold 0.005682'],
    ]);
  });

  it('KID appears only when the report has it (with its spread over subsets when recorded, and its bound)', () => {
    const report = passingReport();
    if (report.quality === undefined) throw new Error('the fixture has a quality gate');
    const { samples, reconstructions } = report.quality.result;
    const withKid = { ...report.quality.result, samples: { ...samples, kid: 0.01234, kidStd: 0.00056 }, reconstructions: { ...reconstructions, kid: 0.0456 } };
    const bounds = { ...report.quality.bounds, samples: { ...report.quality.bounds.samples, maxKid: 0.02 } };
    const markdown = summaryMarkdown({ ...report, quality: { ...report.quality, result: withKid, bounds } } as GoldenReport, REPORT_DIR);
    const quality = tableAfter(markdown, /Sample quality/);
    expect(quality[0]).toEqual(['set', 'FID', 'KID (± sd)', 'smallest class', 'entropy (nats)', 'confidence']);
    expect(quality.slice(2).map((row) => row[2])).toEqual(['0.0123 ± 0.00056 (≤ 0.02)', '0.0456']);
  });

  it('obsolete goldens: failed ones and reported ones, marked apart', () => {
    const report: GoldenReport = { ...passingReport(), passed: false, obsolete: [{ name: 'ghost', failed: true, message: 'golden ghost: OBSOLETE, FAIL (CI mode)' }, { name: 'old', failed: false, message: 'golden old: OBSOLETE, reported' }] };
    expect(summaryMarkdown(report, REPORT_DIR)).toContain('### Obsolete goldens\n\n- ❌ golden ghost: OBSOLETE, FAIL (CI mode)\n- ⚠️ golden old: OBSOLETE, reported\n');
  });

  it('text from the report cannot break a table or inject HTML', () => {
    const report = failingReport();
    report.gates[0] = { ...report.gates[0], label: 'a|b <script>x</script>', floorViolation: 'line one\nline two | *bold*' };
    const markdown = summaryMarkdown(report, REPORT_DIR);
    expectWellFormedTables(markdown);
    expect(markdown).not.toContain('<script>');
    const row = tableAfter(markdown, /^### Metric gates$/m)[2];
    expect(row[0]).toBe('a\\|b &lt;script&gt;x&lt;/script&gt; (nats/image)');
    expect(row[5]).toBe('❌ worse; FLOOR: line one line two \\| \\*bold\\*');
  });
});
