/** What a registry's name resolves to from the controller (as a client here would resolve it: /etc/hosts, then DNS). */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface Resolution {
  /** The name is an IP address: nothing to resolve. */
  readonly literal: boolean;
  readonly addresses: readonly string[];
  /** Why it does not resolve (ENOTFOUND, a timeout), when it does not. */
  readonly error: string | undefined;
}

/** Resolves `name`, giving up after `timeoutMs` (a resolver that never answers must not hang a probe). */
export async function resolveName(name: string, timeoutMs: number): Promise<Resolution> {
  if (isIP(name) !== 0) return { literal: true, addresses: [name], error: undefined };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer in time'), { code: 'ETIMEOUT' })), timeoutMs);
  });
  try {
    const found = await Promise.race([lookup(name, { all: true }), timeout]);
    return { literal: false, addresses: [...new Set(found.map((entry) => entry.address))], error: undefined };
  } catch (error) {
    return { literal: false, addresses: [], error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
