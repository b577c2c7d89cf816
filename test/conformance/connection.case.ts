/**
 * The one conformance suite every connection kind passes (ssh, local): same scripts, same results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_PATH } from '../../src/connection/become.ts';
import type { Connection } from '../../src/connection/types.ts';

/** The environment every node script gets (README, Connections), whoever runs it. */
const DOCUMENTED_ENV = ['HOME', 'LANG', 'LC_ALL', 'LOGNAME', 'PATH', 'SHELL', 'USER'];
/** What /bin/sh itself sets and exports (dash: PWD; bash as sh: PWD, SHLVL, _). */
const SHELL_OWN = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);

function environment(text: string): Map<string, string> {
  return new Map(text.split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

export interface ConnectionUnderTest {
  /** A fresh, not yet opened connection whose runs become root. */
  open(): Promise<Connection>;
  /** The connection is a link the node can end (ssh: sshd's processes for it): the suite ends one. */
  readonly link?: boolean;
}

/**
 * As root on the node: kill the sshd processes serving this very connection (the script's sshd
 * ancestors, not sshd's listener), as a crash, an OOM kill or a cut link would end them.
 */
const END_OWN_LINK = `pids=
p=$$
while p=$(cut -d' ' -f4 "/proc/$p/stat") && [ "$p" -gt 1 ]; do
  case $(tr '\\0' ' ' < "/proc/$p/cmdline") in
    *listener*) break ;;
    sshd:*) pids="$pids $p" ;;
  esac
done
[ -n "$pids" ] || { echo 'no sshd of this connection' >&2; exit 9; }
kill -KILL $pids
sleep 30`;

export function describeConnection(kind: string, subject: ConnectionUnderTest): void {
  describe(`connection conformance: ${kind}`, () => {
    let connection: Connection;

    beforeAll(async () => {
      connection = await subject.open();
      await connection.open();
    });

    afterAll(async () => {
      await connection?.close();
    });

    it('runs a script with sh and returns stdout, stderr and the exit code apart', async () => {
      const result = await connection.run('echo out; echo err >&2; exit 3');
      expect(result).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 3, timedOut: false });
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('runs as root when asked to become', async () => {
      const result = await connection.run('id -u', { become: true });
      expect(result.stdout.trim()).toBe('0');
    });

    it('passes quotes, dollars and newlines through the script untouched', async () => {
      const text = `it's "quoted" $HOME \`id\` \\ ; & | * ? ~`;
      const result = await connection.run(`cat <<'EOF'\n${text}\nEOF`);
      expect(result.stdout).toBe(`${text}\n`);
    });

    it('feeds input on stdin, binary-safe', async () => {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const result = await connection.run('od -An -v -tu1 | tr -s " \\n" " "', { input: bytes });
      const numbers = result.stdout.trim().split(' ').map(Number);
      expect(numbers).toEqual([...bytes]);
    });

    it('feeds input to a script run as root', async () => {
      const result = await connection.run('id -u; cat', { input: 'secret-free text\n', become: true });
      expect(result.stdout).toBe('0\nsecret-free text\n');
    });

    it('returns large output whole', async () => {
      const result = await connection.run('head -c 2000000 /dev/zero | tr "\\0" a');
      expect(result.stdout.length).toBe(2_000_000);
    });

    it('keeps multi-byte UTF-8 intact', async () => {
      const result = await connection.run("printf '%s' 'ĉu — 日本語 ✓'");
      expect(result.stdout).toBe('ĉu — 日本語 ✓');
    });

    it('runs several scripts at once on one connection', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => connection.run(`sleep 0.2; echo ${i}`)),
      );
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    });

    it('stops a script that runs past its timeout', async () => {
      const started = Date.now();
      const result = await connection.run('sleep 37 & sleep 38; echo never', { timeoutMs: 1000, become: true });
      expect(result.timedOut).toBe(true);
      expect(result.stdout).toBe('');
      expect(Date.now() - started).toBeLessThan(10_000);
      // nothing the script started outlives its deadline
      const after = await connection.run("ps -eo args | grep -c '^sleep 3[78]$'", { become: true });
      expect(after.stdout.trim()).toBe('0');
    });

    it('runs a script larger than one command-line argument may be (128 KiB), as root too', async () => {
      // a play of many registries, each with its CA, makes such a state read; with sudo as well
      const filler = `# ${'x'.repeat(1000)}\n`.repeat(300);
      for (const become of [false, true]) {
        const result = await connection.run(`${filler}printf '%s\\n' "$(id -u)"; exit 7\n${filler}`, { become });
        expect(result.stderr, `become: ${String(become)}`).toBe('');
        expect(result.exitCode).toBe(7);
        expect(result.stdout.trim()).toBe(become ? '0' : result.stdout.trim());
      }
    });

    it('a command in a script that reads stdin finds its end, never the rest of the script', async () => {
      const result = await connection.run(`cat; echo after\n${'# padding\n'.repeat(20_000)}echo end`);
      expect(result.stdout).toBe('after\nend\n');
    });

    it('reports a script that ignores its input without failing', async () => {
      const result = await connection.run('exit 0', { input: 'x'.repeat(1_000_000) });
      expect(result.exitCode).toBe(0);
    });

    it('a script sees only the documented environment (issue 8, fault 9: nothing of the operator\'s, such as DOCKER_HOST or HARBOR_PASSWORD)', async () => {
      for (const become of [false, true]) {
        const env = environment((await connection.run('env', { become })).stdout);
        const user = (await connection.run('id -un', { become })).stdout.trim();
        expect([...env.keys()].filter((name) => !SHELL_OWN.has(name)).sort(), `become: ${String(become)}`).toEqual(DOCUMENTED_ENV);
        expect(Object.fromEntries(env)).toMatchObject({ PATH: SCRIPT_PATH, LANG: 'C', LC_ALL: 'C', SHELL: '/bin/sh', USER: user, LOGNAME: user });
        expect(env.get('HOME')).toMatch(/^\//);
        if (become) expect(env.get('HOME')).toBe('/root');
      }
    });

    if (subject.link === true) {
      it('a link the node ends mid-run ends the run in flight (not at its timeout), refuses the next run, and closes at once', async () => {
        const ended = await subject.open();
        await ended.open();
        const started = Date.now();
        const run = await ended.run(END_OWN_LINK, { become: true, timeoutMs: 60_000 });
        expect(run.exitCode, run.stderr).not.toBe(9);
        expect(run.exitCode).not.toBe(0);
        expect(run.timedOut).toBe(false);
        expect(Date.now() - started).toBeLessThan(30_000);
        await expect(ended.run('true')).rejects.toThrow(/the connection to \S+ was closed by the node or the network/);
        // nothing to wait for: the link is gone (a wait for its 'close', which came before, is what hung)
        const closing = Date.now();
        await ended.close();
        expect(Date.now() - closing).toBeLessThan(1000);
      });
    }

    it('uses a plain sh without reading rc files', async () => {
      const result = await connection.run('echo "${BASH_VERSION:-none}"');
      expect(result.stdout.trim()).toBe('none');
    });
  });
}
