/** The guard run in a process of its own (a compute path is fixed per process): prints the run as JSON. Usage: guard-child.ts wasm|cpu */
import { runGuard } from './guard';

runGuard(process.argv[2] === 'cpu' ? 'cpu' : 'wasm').then(
  (run) => process.stdout.write(`${JSON.stringify(run)}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
