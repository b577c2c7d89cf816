/** The node's own view of the registries: what its probes saw (src/reach/reach.sh), read by ./parse.ts. */

/** How a try to reach a registry ended, in the words a report uses. */
export type ReachOutcome =
  /** A TCP connection, for https a handshake validated with the play's CA (or the trust store), and an answer. */
  | 'reachable'
  /** The connection was refused (nothing listens, or a firewall rejects it). */
  | 'refused'
  /** No answer in time (a firewall drops it, or the address is wrong). */
  | 'timed-out'
  /** No route to the address. */
  | 'unreachable'
  /** The node cannot resolve the registry's name (and the play pins no address). */
  | 'unresolved'
  /** The handshake failed or the certificate was not accepted: the reason says why. */
  | 'tls-error'
  /** The proxy is in the way: it refused the request or the tunnel, or cannot be reached. */
  | 'proxy'
  | 'error';

/** One try: its outcome and the reason in words. */
export interface ProbeResult {
  readonly outcome: ReachOutcome;
  readonly detail: string;
}

/** A certificate the registry served, as a report shows it. */
export interface ServedCertificate {
  readonly subject: string;
  readonly issuer: string;
  /** notAfter, ISO 8601. */
  readonly expires: string;
}

/** What the probes saw of one registry from one node. */
export interface RegistryProbe {
  /** The registry as the play writes it (`host[:port]`). */
  readonly registry: string;
  /** Straight to the registry (its pinned address, or the name as the node resolves it). */
  readonly direct: ProbeResult | null;
  /** Through the proxy each runtime here runs with, by runtime. */
  readonly proxied: Readonly<Record<string, ProbeResult>>;
  /** The chain it served (direct), leaf first; [] when none was read. */
  readonly chain: readonly ServedCertificate[];
}
