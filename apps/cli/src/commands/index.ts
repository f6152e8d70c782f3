import type { Command } from '../command';
import { dataInfoCommand } from './data-info';

/** Every subcommand of `cvae`, in the order `cvae --help` lists them. */
export const COMMANDS: Command[] = [dataInfoCommand];
