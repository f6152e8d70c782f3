/** A mistake in how the command was called (unknown command, bad flag or value): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes of the cvae command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
