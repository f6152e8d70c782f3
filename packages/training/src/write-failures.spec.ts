/** What happens when the run directory stops being writable, or a second trainer comes along. */
import * as path from 'path';
import { verifyCheckpoint } from '@cvae/model';
import { makeReadOnly } from './test-utils/read-only';
import { TEST_BACKEND, useTempDir } from './test-utils/tmp-dir';
import { resumeTraining, train, TrainingError } from './train';

jest.setTimeout(180_000);

const CONFIG = { limit: 320, testLimit: 100, batchSize: 32, seed: 3, backend: TEST_BACKEND };

describe('a run directory that becomes read-only mid-run', () => {
  const tempDir = useTempDir('read-only');

  it('stops training with one line naming the path, and leaves the last checkpoint intact', async () => {
    await train({ ...CONFIG, epochs: 1 }, { outDir: tempDir(), name: 'ro' });
    const runDir = path.join(tempDir(), 'ro');
    let undo: (() => void) | undefined;
    try {
      const run = resumeTraining(runDir, { epochs: 3 }, {
        // The disk goes read-only while epoch 2 is being evaluated: its sample, metrics and checkpoints cannot be written.
        reporter: (event) => {
          if (event.type === 'evaluating' && event.epoch === 2 && undo === undefined) undo = makeReadOnly(runDir);
        },
      });
      const error = (await run.then(() => undefined, (e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(TrainingError);
      expect(error.message).not.toContain('\n');
      expect(error.message).toMatch(new RegExp(`^training stopped: cannot write ${runDir}/\\S+: (read-only file system \\(EROFS\\)|permission denied \\(EACCES\\)); ${runDir}/checkpoints/last \\(epoch 1\\) is intact$`));
    } finally {
      undo?.();
    }
    const manifest = await verifyCheckpoint(path.join(runDir, 'checkpoints', 'last'));
    expect([manifest.epoch, manifest.step]).toEqual([1, 10]);
  });
});

describe('one trainer per run', () => {
  const tempDir = useTempDir('run-lock');

  it('a second resume of a run that is training fails at once, naming the holder; the first finishes', async () => {
    await train({ ...CONFIG, epochs: 1 }, { outDir: tempDir(), name: 'busy' });
    const runDir = path.join(tempDir(), 'busy');
    let second: Promise<unknown> | undefined;
    const first = resumeTraining(runDir, { epochs: 2 }, {
      reporter: (event) => {
        if (event.type === 'step' && second === undefined) second = resumeTraining(runDir, { epochs: 3 }).catch((e: unknown) => e);
      },
    });
    expect((await first).status).toBe('completed');
    const error = (await second) as Error;
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.message).toMatch(new RegExp(`^run ${runDir} is being trained: ${runDir}/\\.lock is locked by pid ${process.pid} on \\S+ \\(cvae train ${runDir}, since `));
    // The lock went with the first trainer: the run can be resumed again.
    expect((await resumeTraining(runDir, { epochs: 2 })).status).toBe('completed');
  });

  it('a new run cannot be started in a directory that exists', async () => {
    await train({ ...CONFIG, epochs: 1 }, { outDir: tempDir(), name: 'taken' });
    await expect(train({ ...CONFIG, epochs: 1 }, { outDir: tempDir(), name: 'taken' })).rejects.toThrow(/^run directory .*taken already exists/);
  });
});
