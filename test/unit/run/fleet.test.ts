// What a run keeps of each node is decided as the node ends (`keep`), so that the node's state, files and
// plan can go at once: the memory a run holds grows with the nodes in flight, not with the inventory.
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/connection/index.ts';
import type { NodeTarget } from '../../../src/inventory/types.ts';
import type { RunEvent } from '../../../src/run/events.ts';
import { forEachNode, type NodeOutcome } from '../../../src/run/fleet.ts';

const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `n${i + 1}`, address: `10.0.0.${i + 1}` }) as NodeTarget);
const connect = () => ({ open: async () => undefined, close: async () => undefined }) as unknown as Connection;
const settings = {} as never;

describe('forEachNode keep', () => {
  it('keeps what `keep` makes of each outcome, in the targets\' order, made before the node\'s end is told', async () => {
    const events: string[] = [];
    const kept = await forEachNode<{ big: string }, string>(
      targets(5),
      {
        forks: 2,
        connection: settings,
        connect,
        onEvent: (event: RunEvent) => void (event.kind === 'node-end' && events.push(`end ${event.node}`)),
        keep: (outcome) => {
          events.push(`keep ${outcome.target.name}`);
          return `${outcome.target.name}:${outcome.status}:${outcome.value?.big.length ?? outcome.error}`;
        },
      },
      async (_connection, target) => {
        await new Promise((resolve) => setTimeout(resolve, target.name === 'n1' ? 20 : 1));
        if (target.name === 'n3') throw new Error('boom');
        return { big: 'x'.repeat(1000) };
      },
    );
    expect(kept).toEqual(['n1:ok:1000', 'n2:ok:1000', 'n3:failed:boom', 'n4:ok:1000', 'n5:ok:1000']);
    for (const name of ['n1', 'n2', 'n3', 'n4', 'n5']) expect(events.indexOf(`keep ${name}`)).toBe(events.indexOf(`end ${name}`) - 1);
  });

  it('counts a batch\'s failures from the outcomes, whatever is kept, and keeps the nodes never started too', async () => {
    const seen: NodeOutcome<number>[] = [];
    const kept = await forEachNode<number, string>(
      targets(4),
      {
        forks: 4,
        connection: settings,
        connect,
        serial: [1],
        keep: (outcome) => (seen.push(outcome), outcome.status),
      },
      async (_connection, target) => {
        if (target.name === 'n1') throw new Error('canary failed');
        return 1;
      },
    );
    expect(kept).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
    expect(seen.map((o) => o.error)).toEqual(['canary failed', ...Array(3).fill('not started: 1 of 1 nodes in batch 1 failed (max_fail_percentage 0)')]);
  });

  it('without keep, the outcomes themselves', async () => {
    const outcomes = await forEachNode(targets(2), { forks: 1, connection: settings, connect }, async () => 7);
    expect(outcomes.map((o) => [o.target.name, o.status, o.value])).toEqual([['n1', 'ok', 7], ['n2', 'ok', 7]]);
  });
});
