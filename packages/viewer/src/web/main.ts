import { h } from './dom';
import { explorerPage } from './pages/explorer';
import type { Page } from './pages/page';
import { reviewPage } from './pages/review';
import { runsPage } from './pages/runs';
import { samplesPage } from './pages/samples';

const ROUTES: { path: string; title: string; page: Page }[] = [
  { path: 'runs', title: 'Runs', page: runsPage },
  { path: 'samples', title: 'Samples', page: samplesPage },
  { path: 'review', title: 'Golden review', page: reviewPage },
  { path: 'explorer', title: 'Latent explorer', page: explorerPage },
];

let cleanup: () => void = () => undefined;
let renderCount = 0;

/** Hash routes (`#/review?filter=fail`): the server only has to serve one index.html. */
async function renderRoute(): Promise<void> {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const route = ROUTES.find((r) => r.path === path) ?? ROUTES[0];
  const renderId = ++renderCount;
  cleanup();
  cleanup = () => undefined;
  const main = document.getElementById('main') as HTMLElement;
  main.replaceChildren();
  main.setAttribute('aria-busy', 'true');
  document.title = `${route.title} · cvae viewer`;
  markActiveLink(route.path);
  try {
    const stop = await route.page(main, new URLSearchParams(query), () => void renderRoute());
    if (renderId === renderCount) cleanup = stop;
    else stop(); // a newer navigation won the race
  } catch (error) {
    main.append(h('p', { class: 'error', role: 'alert' }, `Could not load this page: ${(error as Error).message}`));
  } finally {
    if (renderId === renderCount) main.setAttribute('aria-busy', 'false');
  }
}

function markActiveLink(path: string): void {
  document.querySelectorAll('nav a').forEach((a) => a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${path}`));
}

function buildNav(): void {
  const nav = document.getElementById('nav') as HTMLElement;
  nav.append(...ROUTES.map((r) => h('a', { href: `#/${r.path}` }, r.title)));
}

buildNav();
window.addEventListener('hashchange', () => void renderRoute());
void renderRoute();
