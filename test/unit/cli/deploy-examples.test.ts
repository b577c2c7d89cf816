import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { dockhand, REPO } from '../../support/cli.ts';

interface CronJob {
  kind: string;
  spec: {
    concurrencyPolicy: string;
    jobTemplate: { spec: { template: { spec: { containers: { args: string[]; volumeMounts: { mountPath: string; readOnly?: boolean }[] }[]; volumes: { secret?: { defaultMode: number } }[] } } } };
  };
}

describe('the Kubernetes CronJob example', () => {
  const docs = parseAllDocuments(readFileSync(`${REPO}/deploy/kubernetes/cronjob.yaml`, 'utf8')).map((d) => d.toJS() as CronJob);
  const cron = docs.find((d) => d.kind === 'CronJob')!;
  const pod = cron.spec.jobTemplate.spec.template.spec;

  it('never lets two runs overlap, and reads the inventory and key from a Secret, read-only', () => {
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(pod.volumes.find((v) => v.secret)?.secret?.defaultMode).toBe(0o400);
    expect(pod.containers[0]!.volumeMounts.find((m) => m.mountPath === '/etc/dockhand')?.readOnly).toBe(true);
  });

  it('passes only options this dockhand knows', async () => {
    const args = pod.containers[0]!.args;
    const help = (await dockhand([args[0]!, '--help'])).stdout;
    for (const arg of args.filter((a) => a.startsWith('--'))) expect(help, arg).toContain(arg.split('=')[0]!);
  });
});
