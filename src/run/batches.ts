/**
 * Rolling batches, as Ansible's `serial`: a list of sizes (a number of nodes, or a percentage of
 * all the nodes), the last one repeating until every node has its batch.
 */
import type { SerialStep } from '../playbook/types.ts';

function sizeOf(step: SerialStep, total: number): number {
  if (typeof step === 'number') return Math.max(1, step);
  const percent = Number(step.slice(0, -1));
  return Math.max(1, Math.floor((total * percent) / 100));
}

/** The batch sizes for `total` nodes; one batch of all when there is no serial. */
export function batchSizes(total: number, serial: readonly SerialStep[] | undefined): number[] {
  if (total === 0) return [];
  if (!serial || serial.length === 0) return [total];
  const sizes: number[] = [];
  let left = total;
  for (let i = 0; left > 0; i += 1) {
    const size = Math.min(left, sizeOf(serial[Math.min(i, serial.length - 1)]!, total));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/** Split items into batches of these sizes, in order. */
export function inBatches<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const batches: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    batches.push(items.slice(at, at + size));
    at += size;
  }
  return batches;
}

/** Whether a batch's failures exceed the allowed percentage (Ansible: strictly greater). */
export function tooManyFailures(failed: number, batchSize: number, maxFailPercentage: number): boolean {
  return batchSize > 0 && (failed * 100) / batchSize > maxFailPercentage;
}
