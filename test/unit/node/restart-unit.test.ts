// worker.sh's restart_unit: one systemctl waits for systemd's restart job (ACTIVE_WAIT at most), where a
// loop asked systemd three times every 0.5 s for as long as the start took.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeScript } from '../../../src/node/scripts.ts';

const restartUnit = /^restart_unit\(\) \{[\s\S]*?^\}$/m.exec(nodeScript('node/transaction/worker.sh'))?.[0] ?? '';

/**
 * restart_unit run with systemctl and timeout stubbed: `restart` exits RESTART (124: timeout's own code
 * when the time is up), the unit is ACTIVE, its start time goes from 100 to AFTER. Returns its status
 * and every systemctl call.
 */
function restart(stub: { restart: number; active: boolean; after: number }): { status: number | null; calls: string[] } {
  const script = `
ACTIVE_WAIT=7
calls=$(mktemp)
systemctl() {
  printf '|%s' "$*" >> "$calls"
  case $1 in
    show) if [ -s "$calls.restarted" ]; then echo ExecMainStartTimestampMonotonic=${stub.after}; else echo ExecMainStartTimestampMonotonic=100; fi ;;
    reset-failed) ;;
    restart) echo 1 > "$calls.restarted"; return ${stub.restart} ;;
    is-active) return ${stub.active ? 0 : 3} ;;
  esac
}
timeout() { [ "$1" = 7 ] || return 99; shift; "$@"; }
${restartUnit}
restart_unit docker.service; rc=$?
cat "$calls" >&2; rm -f "$calls" "$calls.restarted"
exit $rc
`;
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  return { status: r.status, calls: r.stderr.trim().split('|').filter(Boolean) };
}

describe('restart_unit', () => {
  it('is found in worker.sh', () => expect(restartUnit).toContain('systemctl restart'));

  it('waits for the job in one systemctl under timeout ACTIVE_WAIT: active on a new start is 0, with no polling', () => {
    const { status, calls } = restart({ restart: 0, active: true, after: 200 });
    expect(status).toBe(0);
    expect(calls).toEqual([
      'show -p ExecMainStartTimestampMonotonic docker.service',
      'reset-failed docker.service',
      'restart docker.service',
      'is-active --quiet docker.service',
      'show -p ExecMainStartTimestampMonotonic docker.service',
    ]);
  });

  it('a job that failed (systemd gave up, or waits to try again) is 1; one still running when the time is up is 2', () => {
    expect(restart({ restart: 1, active: false, after: 100 }).status).toBe(1);
    expect(restart({ restart: 124, active: false, after: 100 }).status).toBe(2);
  });

  it('a job that ended with the unit not active, or active on its old start, is 1', () => {
    expect(restart({ restart: 0, active: false, after: 200 }).status).toBe(1);
    expect(restart({ restart: 0, active: true, after: 100 }).status).toBe(1);
  });
});
