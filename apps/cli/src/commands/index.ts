import type { CliCommand } from '../command';
import { acceptCommand } from './accept';
import { benchCommand } from './bench';
import { classifierTrainCommand } from './classifier';
import { compareCommand } from './compare';
import { dataInfoCommand } from './data-info';
import { evalCommand } from './eval';
import { checkCommand } from './check';
import { goldenCheckCommand, goldenInitCommand, goldenNoiseCommand, goldenUpdateCommand } from './golden';
import { modelListCommand, modelShowCommand } from './model';
import { perturbCommand } from './perturb';
import { sampleCommand } from './sample';
import { trainCommand } from './train';
import { viewCommand } from './view';

/** Every subcommand of `cvae`, in the order `cvae --help` lists them. */
export const COMMANDS: CliCommand[] = [
  dataInfoCommand,
  modelListCommand,
  modelShowCommand,
  trainCommand,
  evalCommand,
  sampleCommand,
  checkCommand,
  acceptCommand,
  compareCommand,
  goldenInitCommand,
  goldenCheckCommand,
  goldenUpdateCommand,
  goldenNoiseCommand,
  perturbCommand,
  viewCommand,
  benchCommand,
  classifierTrainCommand,
];
