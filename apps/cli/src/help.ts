import type { OptionSpecs } from './args';
import type { Command } from './command';

export function commandHelp(command: Command): string {
  const usage = `Usage: cvae ${command.path.join(' ')} [options]${command.positionals ? ` [${command.positionals.name}...]` : ''}`;
  const lines = [usage, '', command.summary, '', 'Options:'];
  const specs: OptionSpecs = { ...command.options, help: { type: 'boolean', description: 'show this help' } };
  const entries = Object.entries(specs);
  const labels = entries.map(([name, spec]) => `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`);
  const width = Math.max(...labels.map((l) => l.length));
  entries.forEach(([, spec], i) => {
    const def = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    lines.push(`  ${labels[i].padEnd(width)}  ${spec.description}${def}`);
  });
  if (command.positionals) lines.push('', `  ${command.positionals.name}  ${command.positionals.description}`);
  return lines.join('\n') + '\n';
}

export function globalHelp(commands: Command[]): string {
  const names = commands.map((c) => c.path.join(' '));
  const width = Math.max(...names.map((n) => n.length));
  return [
    'cvae: train, evaluate and regression-test a convolutional variational autoencoder.',
    '',
    'Usage: cvae <command> [options]     (cvae <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c, i) => `  ${names[i].padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}
