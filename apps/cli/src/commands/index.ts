import type { CliCommand } from '../command';
import { benchCommand } from './bench';
import { classifierTrainCommand } from './classifier';
import { dataInfoCommand } from './data-info';
import { evalCommand } from './eval';
import { goldenCheckCommand, goldenUpdateCommand } from './golden';
import { sampleCommand } from './sample';
import { trainCommand } from './train';
import { viewCommand } from './view';

/** Every subcommand of `cvae`, in the order `cvae --help` lists them. */
export const COMMANDS: CliCommand[] = [
  dataInfoCommand,
  trainCommand,
  evalCommand,
  sampleCommand,
  goldenCheckCommand,
  goldenUpdateCommand,
  viewCommand,
  benchCommand,
  classifierTrainCommand,
];
