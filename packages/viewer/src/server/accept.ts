/**
 * The Accept action's write path: `acceptGolden` from @cvae/evaluation, the same code as
 * `cvae golden update`. The server takes the function as an option so unit tests can observe
 * calls without touching real goldens; this module supplies the real one.
 */
export type AcceptGolden = (name: string, dirs: { reportDir: string; suiteDir: string }) => Promise<unknown>;

export const acceptGoldenFromEvaluation: AcceptGolden = async (name, dirs) => {
  // Loaded on first use: serving pages never pays for loading tfjs through @cvae/evaluation.
  const { acceptGolden } = await import('@cvae/evaluation');
  return acceptGolden(name, dirs);
};
