/**
 * Handlers and their order. The host's own come first (the trust store, then systemd's view of unit
 * files); then each runtime's reloads, then its restarts, runtimes in the order of their list.
 */
import type { Handler } from './types.ts';

export const UPDATE_TRUST: Handler = 'update-trust';
export const DAEMON_RELOAD: Handler = 'daemon-reload';

/** What a runtime can be asked to do after its files changed. */
export type RuntimeAction = 'reload' | 'restart';

/** The handler that runs ACTION for RUNTIME. */
export function runtimeHandler(action: RuntimeAction, runtime: string): Handler {
  return `${action}-${runtime}`;
}

/** The runtime a handler acts on, or null for the host's own. */
export function handlerRuntime(handler: Handler): { action: RuntimeAction; runtime: string } | null {
  const dash = handler.indexOf('-');
  const action = handler.slice(0, dash);
  if (handler === UPDATE_TRUST || handler === DAEMON_RELOAD || (action !== 'reload' && action !== 'restart')) return null;
  return { action, runtime: handler.slice(dash + 1) };
}

/** The handlers in the order they run; `runtimes` gives the order of the runtimes. */
export function orderHandlers(handlers: Iterable<Handler>, runtimes: readonly string[]): Handler[] {
  const rank = (h: Handler): number => {
    if (h === UPDATE_TRUST) return 0;
    if (h === DAEMON_RELOAD) return 1;
    const of = handlerRuntime(h);
    if (of === null) return 2;
    const index = runtimes.indexOf(of.runtime);
    return 10 + (of.action === 'reload' ? 0 : 1000) + (index < 0 ? 999 : index);
  };
  return [...new Set(handlers)].sort((a, b) => rank(a) - rank(b));
}
