/**
 * cvae check's verdict for CI systems, beside the console text, report.json and index.html: JUnit XML
 * (--junit FILE) and a Markdown job summary (--summary FILE, also appended to $GITHUB_STEP_SUMMARY when
 * that is set, as GitHub Actions asks). The renderers are @cvae/evaluation's; this only places the files.
 */
import { statSync } from 'fs';
import * as path from 'path';
import { InvalidArgumentError, Option } from 'commander';
import { junitXml, summaryMarkdown } from '@cvae/evaluation';
import { type GoldenReport, workspaceRelative } from '@cvae/formats';
import { appendFileDurably, writeFileAtomic } from '@cvae/images';
import type { Io } from '../command';

export interface CiOutputOptions {
  junit?: string;
  summary?: string;
}

export function junitOption(): Option {
  return new Option('--junit <FILE>', 'also write the verdict as JUnit XML: a testcase per golden, gate and quality bound').argParser(outputFile);
}

export function summaryOption(): Option {
  return new Option('--summary <FILE>', 'also write a Markdown summary (gates, differing goldens, FID); appended to $GITHUB_STEP_SUMMARY too when set').argParser(outputFile);
}

/** A file to write: refused at once (exit 2) when it names a directory, not after the whole check ran. */
function outputFile(raw: string): string {
  if (statSync(raw, { throwIfNoEntry: false })?.isDirectory()) throw new InvalidArgumentError(`${raw} is a directory: expected a file to write`);
  return raw;
}

/** Writes what the flags ask for; `seconds` is how long the check took (the JUnit suite's time). */
export async function writeCiOutputs(options: CiOutputOptions, check: { report: GoldenReport; reportDir: string; seconds: number }, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const reportDir = workspaceRelative(check.reportDir);
  if (options.junit !== undefined) {
    await writeFileAtomic(path.resolve(options.junit), junitXml({ report: check.report, reportDir, seconds: check.seconds }));
    io.stderr(`cvae check: JUnit XML in ${options.junit}\n`);
  }
  if (options.summary === undefined) return;
  const markdown = summaryMarkdown(check.report, reportDir);
  await writeFileAtomic(path.resolve(options.summary), markdown);
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  // GitHub gives each step its own file and shows what every command appended: append, never replace.
  if (stepSummary) await appendFileDurably(stepSummary, markdown).catch((error: Error) => {
    throw new Error(`cannot append the summary to $GITHUB_STEP_SUMMARY (${stepSummary}): ${error.message}`);
  });
  io.stderr(`cvae check: summary in ${options.summary}${stepSummary ? ' and appended to $GITHUB_STEP_SUMMARY' : ''}\n`);
}
