/** A page renders into `root` and returns a cleanup (timers, listeners) run when the route changes. */
export type Page = (root: HTMLElement, params: URLSearchParams) => Promise<() => void>;

export const noCleanup = () => undefined;
