import type { EndpointPattern } from './ssh-diagnosis.ts';

interface Endpoint {
  /** Connections of this run opening to it now (waiting, trying, or pausing between tries). */
  opening: number;
  /** One of them logged in. */
  served: boolean;
  /** Tries under way (between TCP connect and login). */
  trying: number;
  /** How many tries may be under way at once, once sshd dropped one; unlimited before. */
  limit: number | undefined;
  readonly waiting: (() => void)[];
}

/**
 * What one run has seen of each sshd (`host:port`), shared by all its connections: how many are being
 * opened at once, and whether one of them logged in. That is the pattern that tells sshd throttling
 * (MaxStartups) from a port that simply closes every connection. Once sshd dropped a try, tries to it
 * take turns, as many at once as it was seen to serve (growing again with each login, as TCP's window
 * does), instead of all retrying blind into the same limit.
 */
export class SshEndpoints {
  readonly #endpoints = new Map<string, Endpoint>();

  #get(endpoint: string): Endpoint {
    let state = this.#endpoints.get(endpoint);
    if (state === undefined) {
      state = { opening: 0, served: false, trying: 0, limit: undefined, waiting: [] };
      this.#endpoints.set(endpoint, state);
    }
    return state;
  }

  /** A connection starts opening; call the returned function once it is open or has given up. */
  opening(endpoint: string): () => void {
    const state = this.#get(endpoint);
    state.opening += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      state.opening -= 1;
    };
  }

  /**
   * A turn to try: resolves with its release once a try may start (at once unless sshd dropped tries
   * before), or with undefined when `deadline` (a performance.now() time) passes first.
   */
  turn(endpoint: string, deadline: number): Promise<(() => void) | undefined> {
    const state = this.#get(endpoint);
    const release = this.#releaser(state);
    if (state.limit === undefined || state.trying < Math.floor(state.limit)) {
      state.trying += 1;
      return Promise.resolve(release);
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        clearTimeout(timer);
        state.trying += 1;
        resolve(release);
      };
      const timer = setTimeout(() => {
        state.waiting.splice(state.waiting.indexOf(grant), 1);
        resolve(undefined);
      }, Math.max(0, deadline - performance.now()));
      state.waiting.push(grant);
    });
  }

  #releaser(state: Endpoint): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.trying -= 1;
      while (state.waiting.length > 0 && (state.limit === undefined || state.trying < Math.floor(state.limit))) state.waiting.shift()?.();
    };
  }

  /** sshd dropped a try (its turn not yet released): from now on, no more at once than the others under way. */
  dropped(endpoint: string): void {
    const state = this.#get(endpoint);
    state.limit = Math.max(1, Math.min(state.limit ?? Infinity, state.trying - 1));
  }

  /** A connection to this sshd logged in. */
  served(endpoint: string): void {
    const state = this.#get(endpoint);
    state.served = true;
    if (state.limit !== undefined) state.limit += 1 / state.limit;
  }

  /** Whether tries to this sshd take turns (it dropped one before). */
  throttling(endpoint: string): boolean {
    return this.#get(endpoint).limit !== undefined;
  }

  /** The pattern around one opening connection (itself not counted). */
  pattern(endpoint: string): EndpointPattern {
    const state = this.#get(endpoint);
    return { concurrent: state.opening > 1, servedBefore: state.served };
  }
}
