/**
 * Who may talk to the viewer. A local server that serves files and can overwrite goldens must refuse
 * requests addressed to any other name: a DNS-rebinding page (an attacker's host name re-pointed at
 * 127.0.0.1) sends its own name as Host, and an Origin that agrees with it — so an Origin-equals-Host
 * check is not enough (the bug class of Vite's allowedHosts, CVE-2025-24010). Every request's Host must
 * be one the server knows it is reachable as; Accept additionally needs an allowed Origin (when a
 * browser sends one) and this process's random token.
 */
import { randomBytes, timingSafeEqual } from 'crypto';
import { isIP } from 'net';

/** Loopback names every viewer answers to, whatever it is bound to. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
export const TOKEN_HEADER = 'x-cvae-accept-token';

export interface RequestGuard {
  /** Why a request with this Host header is refused, or null if it is allowed. */
  refuseHost(host: string | undefined): string | null;
  /** Why an Accept with this Origin header and token is refused, or null if it is allowed. */
  refuseAccept(origin: string | undefined, token: string | undefined): string | null;
  readonly token: string;
}

export function newAcceptToken(): string {
  return randomBytes(24).toString('hex');
}

/**
 * `boundHost` is the listen address; `port` the actual port; `extraNames` the --allowed-host names
 * (host names or IPs, no port: the port must always be the server's).
 */
export function requestGuard(boundHost: string, port: number, extraNames: readonly string[], token: string): RequestGuard {
  const names = new Set([...LOOPBACK_NAMES, hostName(boundHost), ...extraNames.map(hostName)].map((n) => n.toLowerCase()));
  const allowed = new Set([...names].map((name) => `${name}:${port}`));
  if (port === 80) names.forEach((name) => allowed.add(name));
  const hostAllowed = (host: string) => allowed.has(host.toLowerCase());
  return {
    token,
    refuseHost(host) {
      if (host === undefined || host === '') return 'a Host header is required';
      return hostAllowed(host) ? null : `Host '${host}' is not allowed (the viewer answers to ${[...names].join(', ')} on port ${port}; add a name with --allowed-host)`;
    },
    refuseAccept(origin, given) {
      if (origin !== undefined && !hostAllowed(originHost(origin))) return `cross-origin request refused (Origin '${origin}')`;
      if (given === undefined || given === '') return `missing ${TOKEN_HEADER} header (the token is in /api/config and printed by cvae view --allow-accept)`;
      return sameSecret(given, token) ? null : `wrong ${TOKEN_HEADER} (it changes every time the viewer starts)`;
    },
  };
}

/** An IPv6 address as it appears in a Host header: in brackets. */
function hostName(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** `http://name:port` → `name:port`; anything unparsable or not http(s) → '' (never allowed). */
function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : '';
  } catch {
    return '';
  }
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
