/**
 * A page renders into `root` and returns a cleanup (timers, listeners) run when the route changes;
 * `rerender` builds the current route again (e.g. to load a newer checkpoint).
 */
export type Page = (root: HTMLElement, params: URLSearchParams, rerender: () => void) => Promise<() => void>;

export const noCleanup = () => undefined;
