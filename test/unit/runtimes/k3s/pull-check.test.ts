/**
 * The k3s pull check's way to the node when dockhand cannot open k3s's CRI socket itself (a login that
 * is not root): k3s's crictl, never with a login on its command line.
 */
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Connection, RunOptions, RunResult } from '../../../../src/connection/types.ts';
import { DockhandError } from '../../../../src/errors.ts';
import { K3S_SOCKET, k3sPullCheck } from '../../../../src/runtimes/k3s/pull-check.ts';

function connection(result: Partial<RunResult>): Connection & { scripts: string[]; sockets: string[] } {
  const scripts: string[] = [];
  const sockets: string[] = [];
  return {
    kind: 'ssh',
    scripts,
    sockets,
    open: async () => undefined,
    run: async (script: string, _options?: RunOptions): Promise<RunResult> => {
      scripts.push(script);
      return { exitCode: 0, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 1, ...result };
    },
    openSocket: async (path: string): Promise<Duplex> => {
      sockets.push(path);
      throw new DockhandError('E_REMOTE', 'streamlocal forwarding needs a root login');
    },
    close: async () => undefined,
  };
}

describe('the k3s pull check without the CRI socket', () => {
  it("asks for k3s's socket, then pulls with k3s's crictl on it", async () => {
    const c = connection({});
    expect(await k3sPullCheck(c, 'harbor-http.lab.local/library/tiny:1', undefined)).toBeNull();
    expect(c.sockets).toEqual([K3S_SOCKET]);
    expect(c.scripts[0]).toMatch(/^IMAGE='?harbor-http\.lab\.local\/library\/tiny:1'?\n/);
    expect(c.scripts[0]).toContain('k3s crictl --runtime-endpoint "unix://$K3S_SOCKET"');
  });

  it('says what crictl said when the pull fails', async () => {
    const c = connection({ exitCode: 1, stdout: 'E1206 pulling image: failed to resolve reference: x509: certificate signed by unknown authority\n' });
    expect(await k3sPullCheck(c, 'harbor.lab.local/library/tiny:1', undefined)).toMatch(/^pull check: crictl pull harbor\.lab\.local\/library\/tiny:1 on k3s's containerd failed: .*x509/);
  });

  it('a login never goes to crictl: it asks for a root login instead', async () => {
    const c = connection({});
    expect(await k3sPullCheck(c, 'harbor.lab.local/library/tiny:1', { username: 'u', password: 'hunter22' })).toMatch(/needs a login, which crictl takes only on its command line: log in as root/);
    expect(c.scripts).toEqual([]);
  });
});
