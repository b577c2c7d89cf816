// convergeNode over a stand-in connection that answers the state read with a golden facts fixture: what
// the report says of a node refused before anything is written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Connection, RunResult } from '../../../src/connection/types.ts';
import { convergeNode } from '../../../src/converge/converge-node.ts';
import type { DesiredState } from '../../../src/plan/types.ts';

function fixtureOutput(name: string): string {
  const json = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'facts', 'fixtures', 'facts', `${name}.json`), 'utf8')) as { output: string[] };
  return json.output.join('\n');
}

/** A node that only answers its state read, and fails the test if anything else is run on it. */
function readOnlyNode(stdout: string): Connection & { runs: number } {
  const node = {
    kind: 'local' as const,
    runs: 0,
    open: async () => undefined,
    close: async () => undefined,
    openSocket: async (): Promise<Duplex> => {
      throw new Error('no socket here');
    },
    run: async (): Promise<RunResult> => {
      node.runs += 1;
      if (node.runs > 1) throw new Error('a second script ran: the node was to be refused before anything was written');
      return { exitCode: 0, signal: null, stdout, stderr: '', timedOut: false, durationMs: 1 };
    },
  };
  return node;
}

const desired: DesiredState = {
  registries: [{ host: 'harbor-http.example.local', ip: '192.168.0.99', insecure: true, ca: undefined, state: 'present' }],
  insecureRegistries: ['harbor-http.example.local'],
  registryMirrors: [],
  retiredInsecureRegistries: [],
  retiredRegistryMirrors: [],
  dockerConfig: 'auto',
  runtimes: 'auto',
  restart: 'if-idle',
      retryFailed: false,
  liveRestore: 'keep',
};

describe('a node refused before anything is written (issue 12, item 7)', () => {
  it('an invalid daemon.json: the refusal alone, no mechanism it will not use, no warning of a restart that never happens', async () => {
    for (const mode of ['check', 'apply'] as const) {
      const node = readOnlyNode(fixtureOutput('invalid-daemon-json'));
      const outcome = await convergeNode(node, 'ce1', desired, mode);
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toMatch(/^nothing changed: .*daemon\.json is not valid JSON/);
      expect(outcome).toMatchObject({ mechanisms: [], warnings: [], notes: [], changes: [], handlers: [] });
      expect(node.runs).toBe(1);
    }
  });
});

/** A node that answers every state read with `stdout` and records each script it was sent. */
function recordingNode(stdout: string): Connection & { scripts: string[] } {
  const node = {
    kind: 'local' as const,
    scripts: [] as string[],
    open: async () => undefined,
    close: async () => undefined,
    openSocket: async (): Promise<Duplex> => {
      throw new Error('no socket here');
    },
    run: async (script: string): Promise<RunResult> => {
      node.scripts.push(script);
      return { exitCode: 0, signal: null, stdout, stderr: '', timedOut: false, durationMs: 1 };
    },
  };
  return node;
}

describe('a daemon answer kept from the last probe', () => {
  const kept = (output: string) => output.replace('\n@@dockhand:end@@', '\n@@dockhand:probe-kept docker@@\n\n@@dockhand:end@@');

  it('is read first; a plan that is not settled on it is made again on a fresh read', async () => {
    const output = fixtureOutput('invalid-daemon-json');
    expect(kept(output)).toContain('probe-kept docker');
    const node = recordingNode(kept(output));
    const outcome = await convergeNode(node, 'ce1', desired, 'check');
    expect(outcome.status).toBe('failed');
    expect(node.scripts).toHaveLength(2);
    expect(node.scripts[0]).toMatch(/^PROBE_CACHE='?use'?$/m);
    expect(node.scripts[1]).toMatch(/^PROBE_CACHE='?fresh'?$/m);
  });

  it('a fresh read is not asked for when nothing was kept', async () => {
    const node = recordingNode(fixtureOutput('invalid-daemon-json'));
    await convergeNode(node, 'ce1', desired, 'check');
    expect(node.scripts).toHaveLength(1);
  });
});
