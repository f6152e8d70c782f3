import { createReadStream, existsSync } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { GOLDEN_NAME_PATTERN, SUITE_FILE, oneLine } from '@cvae/formats';
import type { AcceptResponse, SuiteReportResponse, ViewerConfig } from '../shared/api-types';
import { runMatches } from '../shared/run-filter';
import { acceptGoldenFromEvaluation, type AcceptGolden } from './accept';
import { compareWithBaseline } from './compare';
import { RunsEvents } from './events';
import { LatentSpaces, type ComputeLatentSpace } from './latent';
import { COMMON_HEADERS, HttpError, contentTypeFor, readJsonObjectBody, sendError, sendJson } from './http-utils';
import { SUITE_NAME, listSuites, readSuiteReport, reportedNames } from './suites';
import { ParsedFiles, listRuns } from './runs';
import { RequestGuard, TOKEN_HEADER, newAcceptToken, requestGuard } from './request-guard';
import { resolveFileInside } from './safe-path';

export interface ViewerServerOptions {
  runsDir: string;
  /** The golden suites (the workspace's suites/): one directory each. */
  suitesDir: string;
  /** Where suite checks write their reports: reports/<suite>/. */
  reportsDir: string;
  /** 0 picks a free port. Default 4200. */
  port?: number;
  /** Default 127.0.0.1: the viewer exposes local files and must not be reachable from the network. */
  host?: string;
  /** Host names (besides the loopback names and the bound address) the viewer answers to, e.g. behind a proxy. */
  allowedHosts?: string[];
  /** The Accept token (default: random per server); clients send it in the X-CVAE-Accept-Token header. */
  acceptToken?: string;
  /** Enables POST /api/accept, which overwrites goldens. Default false. */
  allowAccept?: boolean;
  /** The built web app (index.html, app.js, style.css). Default: dist/public next to this file's dist/server. */
  publicDir?: string;
  /** Injected in tests; default is @cvae/evaluation's acceptGolden. */
  acceptGolden?: AcceptGolden;
  /** tfjs backend of the explorer's encoder pass ('auto' | 'wasm' | 'cpu' | 'tfjs-node'; default auto). */
  backend?: string;
  /** Default: @cvae/evaluation's latentSpaceOfCheckpoint, in a worker thread. */
  computeLatentSpace?: ComputeLatentSpace;
  /** How often /api/events checks the runs directory (default 1000 ms). */
  eventsPollMs?: number;
}

export interface ViewerServer {
  url: string;
  port: number;
  /** What Accept requests must carry in the X-CVAE-Accept-Token header (the served page gets it from /api/config). */
  acceptToken: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;
const DEFAULT_PUBLIC_DIR = path.join(__dirname, '..', 'public');

export async function startViewerServer(options: ViewerServerOptions): Promise<ViewerServer> {
  // The guard needs the port, known only once listening; no request can arrive before that.
  const ready: { handler?: Handler } = {};
  const server = http.createServer((req, res) => {
    if (ready.handler === undefined) return sendError(res, 503, 'starting');
    ready.handler(req, res).catch((error: unknown) => sendError(res, error instanceof HttpError ? error.status : 500, oneLine(error)));
  });
  // Malformed HTTP never reaches the handler; answer it and drop the socket instead of crashing.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4200, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const guard = requestGuard(host, port, options.allowedHosts ?? [], options.acceptToken ?? newAcceptToken());
  ready.handler = createRequestHandler(options, guard);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    acceptToken: guard.token,
    close: () => closeServer(server),
  };
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export function createRequestHandler(options: ViewerServerOptions, guard: RequestGuard): Handler {
  const publicDir = options.publicDir ?? DEFAULT_PUBLIC_DIR;
  const fileRoutes: { prefix: string; dir: string }[] = [
    { prefix: '/runs/', dir: options.runsDir },
    { prefix: '/suites/', dir: options.suitesDir },
    { prefix: '/reports/', dir: options.reportsDir },
  ];
  const accept = serialized(options.acceptGolden ?? acceptGoldenFromEvaluation);
  const config: ViewerConfig = options.allowAccept === true ? { allowAccept: true, acceptToken: guard.token } : { allowAccept: false };
  const events = new RunsEvents(options.runsDir, options.eventsPollMs);
  const latent = new LatentSpaces(options.runsDir, options.computeLatentSpace, options.backend);
  const runFiles = new ParsedFiles();
  return async (req, res) => {
    // Before any route: a request addressed to a name this server does not answer to is refused.
    const refusal = guard.refuseHost(req.headers.host);
    if (refusal !== null) return sendError(res, 403, refusal);
    // The raw path, NOT new URL(...).pathname: URL parsing would silently resolve `..` segments.
    const url = (req.url ?? '/').split('#')[0];
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1));
    const method = req.method ?? 'GET';
    if (rawPath === '/api/accept') return method === 'POST' ? handleAccept(req, res, options, guard, accept) : sendError(res, 405, 'use POST');
    if (method !== 'GET' && method !== 'HEAD') return sendError(res, 405, `${method} not allowed`);
    if (rawPath === '/api/config') return sendJson(res, 200, config);
    if (rawPath === '/api/runs') {
      const runs = await listRuns(options.runsDir, runFiles);
      const filter = query.get('filter');
      return sendJson(res, 200, { runs: filter === null ? runs : runs.filter((run) => runMatches(run, filter)) });
    }
    if (rawPath === '/api/suites') return sendJson(res, 200, { suites: await listSuites(options.suitesDir, options.reportsDir) });
    if (rawPath === '/api/events') return method === 'GET' ? events.subscribe(req, res) : sendError(res, 405, 'use GET');
    if (rawPath === '/api/compare') return answer(res, () => compareWithBaseline(options.runsDir, query.get('baseline') ?? ''));
    if (rawPath === '/api/latent') return answer(res, () => latent.get(query.get('run') ?? ''));
    if (rawPath === '/api/report') {
      const suite = suiteParameter(query);
      if (!existsSync(path.join(options.suitesDir, suite, SUITE_FILE))) throw new HttpError(404, `no suite named '${suite}' in the suites directory`);
      return sendJson(res, 200, (await readSuiteReport(options.suitesDir, options.reportsDir, suite)) satisfies SuiteReportResponse);
    }
    const route = fileRoutes.find((r) => rawPath.startsWith(r.prefix));
    if (route) return serveFile(req, res, route.dir, rawPath.slice(route.prefix.length));
    return serveFile(req, res, publicDir, rawPath === '/' ? 'index.html' : rawPath.slice(1));
  };
}

async function handleAccept(req: http.IncomingMessage, res: http.ServerResponse, options: ViewerServerOptions, guard: RequestGuard, accept: AcceptGolden): Promise<void> {
  if (options.allowAccept !== true) return sendError(res, 403, 'accepting goldens is disabled (start the viewer with --allow-accept)');
  const token = req.headers[TOKEN_HEADER];
  const refusal = guard.refuseAccept(req.headers.origin, Array.isArray(token) ? token[0] : token);
  if (refusal !== null) return sendError(res, 403, refusal);
  try {
    const body = await readJsonObjectBody(req, MAX_BODY_BYTES);
    const { name, suite } = body;
    if (typeof suite !== 'string' || !SUITE_NAME.test(suite)) throw new HttpError(400, `suite must be a suite directory name (${SUITE_NAME})`);
    if (typeof name !== 'string' || !GOLDEN_NAME_PATTERN.test(name)) throw new HttpError(400, `name must match ${GOLDEN_NAME_PATTERN}`);
    if (!(await reportedNames(options.reportsDir, suite)).has(name)) throw new HttpError(400, `no result named '${name}' in the current report of suite '${suite}'`);
    await accept(name, { reportDir: path.join(options.reportsDir, suite), suiteDir: path.join(options.suitesDir, suite) });
    sendJson(res, 200, { accepted: name } satisfies AcceptResponse);
  } catch (error) {
    if (error instanceof HttpError) {
      sendError(res, error.status, error.message);
      req.resume(); // drain what is left of an oversized body so the socket closes cleanly
      return;
    }
    sendError(res, 500, `accept failed: ${oneLine(error)}`);
  }
}

/** `?suite=NAME` (default: the reference suite); anything that is not a plain directory name is a 400. */
function suiteParameter(query: URLSearchParams): string {
  const suite = query.get('suite') ?? 'reference';
  if (!SUITE_NAME.test(suite)) throw new HttpError(400, `suite must be a suite directory name (${SUITE_NAME})`);
  return suite;
}

/** JSON from `work`, or its HttpError as status and one line. */
async function answer(res: http.ServerResponse, work: () => Promise<unknown>): Promise<void> {
  try {
    sendJson(res, 200, await work());
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    sendError(res, error.status, error.message);
  }
}

async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, root: string, encodedRelativePath: string): Promise<void> {
  const file = await resolveFileInside(root, encodedRelativePath);
  if (file === null) return sendError(res, 404, 'not found');
  res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': contentTypeFor(file) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy()); // e.g. the file was deleted mid-read: drop, don't crash
  stream.pipe(res);
}

/** Accepts run one at a time: two clicks must not interleave writes to goldens.json. */
function serialized(accept: AcceptGolden): AcceptGolden {
  let queue: Promise<unknown> = Promise.resolve();
  return (name, dirs) => {
    const next = queue.then(() => accept(name, dirs));
    queue = next.catch(() => undefined);
    return next;
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
