import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeScript } from '../../../src/node/scripts.ts';
import { K3S_UNITS } from '../../../src/runtimes/k3s/facts.ts';

const shell = spawnSync('sh', ['-c', 'command -v dash']).stdout.toString().trim() || 'sh';
const dir = mkdtempSync(join(tmpdir(), 'unit-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake systemctl: logs each call, prints BLOCKS (one per unit asked, or `short` fewer than asked). */
function fakeSystemctl(mode: 'full' | 'short'): string {
  const script = `#!/bin/sh
echo "$*" >> "${dir}/${mode}.calls"
shift
n=0
for a in "$@"; do
  case $a in -p|--no-pager) break ;; esac
  n=$((n + 1))
  [ "$n" -gt 1 ] && echo
  [ "${mode}" = short ] && [ "$n" -gt 1 ] && break
  echo "ExecStart={ path=/usr/bin/x ; argv[]=/usr/bin/x -c /etc/$a.toml ; ignore_errors=no }"
  echo "EnvironmentFiles=/etc/default/$a (ignore_errors=yes)"
  echo "Id=$a"
  echo "LoadState=$( [ "$a" = k3s-agent.service ] && echo loaded || echo not-found)"
  echo "ActiveState=active"
  echo "DropInPaths=/etc/$a.d/a.conf /etc/$a.d/b.conf"
done
`;
  const path = join(dir, `${mode}-bin`);
  spawnSync('mkdir', ['-p', path]);
  writeFileSync(join(path, 'systemctl'), script);
  chmodSync(join(path, 'systemctl'), 0o755);
  return path;
}

function run(mode: 'full' | 'short', body: string, absent = ''): { out: string; calls: string[] } {
  const path = fakeSystemctl(mode);
  rmSync(join(dir, `${mode}.calls`), { force: true });
  const units = join(dir, 'units');
  spawnSync('mkdir', ['-p', units]);
  for (const u of ['a.service', 'b.service', ...K3S_UNITS]) writeFileSync(join(units, u), '[Service]\n');
  const script = `UNIT_DIRS='/nonexistent ${units}'\nSHOW_UNITS='a.service b.service ${K3S_UNITS.join(' ')}${absent}'\nSHOW_PROPERTIES='-p Id -p LoadState'\n${nodeScript('node/sh/preamble.sh')}\nPATH=${path}:$PATH\n${nodeScript('runtimes/k3s/node.sh')}\nunits_read\n${body}`;
  const result = spawnSync(shell, ['-s'], { input: script, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  const calls = spawnSync('cat', [join(dir, `${mode}.calls`)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return { out: result.stdout, calls };
}

describe('unit_show: every unit from one systemctl show', () => {
  it("answers each unit with its own block, only the properties asked, in systemd's order", () => {
    const { out, calls } = run('full', 'unit_show b.service LoadState DropInPaths Id; printf "%s\\n--\\n" "$shown"; show_values EnvironmentFiles "$(unit_show a.service EnvironmentFiles; printf %s "$shown")"; printf "%s\\n--\\n" "$values"; k3s_unit');
    expect(out).toBe('Id=b.service\nLoadState=not-found\nDropInPaths=/etc/b.service.d/a.conf /etc/b.service.d/b.conf\n--\n/etc/default/a.service\n--\nk3s-agent.service\n');
    expect(calls).toHaveLength(1);
  });

  it('asks nothing about a unit that has no file in the unit load path, and answers it as systemd would not: empty', () => {
    const { out, calls } = run('full', 'unit_show gone.service LoadState Id; printf "[%s]\\n" "$shown"; unit_show a.service Id; printf "%s\\n" "$shown"', ' gone.service');
    expect(out).toBe('[]\nId=a.service\n');
    expect(calls).toHaveLength(1);
    expect(calls[0]).not.toContain('gone.service');
  });

  it('asks systemctl itself for a unit when the one call did not answer for every unit', () => {
    const { out, calls } = run('short', 'unit_show b.service LoadState; printf "%s\\n" "$shown"');
    expect(out).toBe('LoadState=not-found\n');
    expect(calls).toEqual([expect.stringContaining('show a.service b.service'), 'show b.service -p LoadState --no-pager']);
  });

  it("K3S_UNITS is node.sh's list, in its order", () => {
    expect(nodeScript('runtimes/k3s/node.sh')).toContain(`K3S_UNITS='${K3S_UNITS.join(' ')}'`);
  });
});
