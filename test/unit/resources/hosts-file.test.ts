import { describe, expect, it } from 'vitest';
import { BLOCK_BEGIN, BLOCK_END, editHosts, resolveFromHosts } from '../../../src/resources/hosts-file.ts';

const DOCKER_HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
172.30.0.5\tdeb1
`;

const block = (...lines: string[]) => [BLOCK_BEGIN, ...lines, BLOCK_END, ''].join('\n');

describe('editHosts', () => {
  it('pins names in a managed block at the end; other lines stay byte-for-byte', () => {
    const after = editHosts(DOCKER_HOSTS, { pin: [{ name: 'harbor.local', ip: '10.0.0.9' }], unpin: [] });
    expect(after).toBe(DOCKER_HOSTS + block('10.0.0.9\tharbor.local'));
    expect(resolveFromHosts(after).get('harbor.local')).toBe('10.0.0.9');
  });

  it('is idempotent', () => {
    const edit = { pin: [{ name: 'a.local', ip: '10.0.0.1' }, { name: 'b.local', ip: '10.0.0.2' }], unpin: [] };
    const once = editHosts(DOCKER_HOSTS, edit);
    expect(editHosts(once, edit)).toBe(once);
  });

  it('re-pins in place and keeps pins it was not asked about', () => {
    const start = DOCKER_HOSTS + block('10.0.0.1\ta.local', '10.0.0.7\tother.local');
    expect(editHosts(start, { pin: [{ name: 'a.local', ip: '10.0.0.2' }], unpin: [] })).toBe(
      DOCKER_HOSTS + block('10.0.0.2\ta.local', '10.0.0.7\tother.local'),
    );
  });

  it('replaces a stale line elsewhere so it cannot win, keeping the line\'s other names on a marked line below it', () => {
    const stale = `192.168.1.1 harbor.local registry # old\n${DOCKER_HOSTS}`;
    const after = editHosts(stale, { pin: [{ name: 'harbor.local', ip: '10.0.0.9' }], unpin: [] });
    expect(after).toBe(
      `# dockhand replaced: 192.168.1.1 harbor.local registry # old\n192.168.1.1\tregistry # dockhand: the other names of the line above\n${DOCKER_HOSTS}${block('10.0.0.9\tharbor.local')}`,
    );
    expect(resolveFromHosts(after).get('harbor.local')).toBe('10.0.0.9');
    expect(resolveFromHosts(after).get('registry')).toBe('192.168.1.1');
    expect(editHosts(after, { pin: [{ name: 'harbor.local', ip: '10.0.0.9' }], unpin: [] })).toBe(after);
  });

  it('state: absent puts the administrator\'s original line back, byte for byte (issue 8, fault 6)', () => {
    const original = `192.168.1.1 harbor.local registry # old\n10.1.1.1\tHARBOR.local\n${DOCKER_HOSTS}`;
    const pinned = editHosts(original, { pin: [{ name: 'harbor.local', ip: '10.0.0.9' }], unpin: [] });
    expect(pinned).not.toContain('\n10.1.1.1');
    expect(editHosts(pinned, { pin: [], unpin: ['harbor.local'] })).toBe(original);
  });

  it('a stale line in a CRLF /etc/hosts is replaced too, and the file keeps its CRLF lines (issue 8, fault 3)', () => {
    const crlf = `127.0.0.1 localhost\r\n10.0.0.5 harbor.local\r\n10.0.0.6 other harbor.local\r\n`;
    const after = editHosts(crlf, { pin: [{ name: 'harbor.local', ip: '10.0.0.9' }], unpin: [] });
    expect(after).toBe(
      `127.0.0.1 localhost\r\n# dockhand replaced: 10.0.0.5 harbor.local\r\n# dockhand replaced: 10.0.0.6 other harbor.local\r\n10.0.0.6\tother # dockhand: the other names of the line above\r\n${block('10.0.0.9\tharbor.local')}`,
    );
    expect(resolveFromHosts(after).get('harbor.local')).toBe('10.0.0.9');
    expect(editHosts(after, { pin: [], unpin: ['harbor.local'] })).toBe(crlf);
  });

  it('comments out a stale line left with no name, and beats a stale IPv6 line too', () => {
    const stale = `fd00::1 HARBOR.local\n10.1.1.1 harbor.local\n${DOCKER_HOSTS}`;
    const after = editHosts(stale, { pin: [{ name: 'harbor.local', ip: '10.0.0.9' }], unpin: [] });
    expect(after).toContain('# dockhand replaced: fd00::1 HARBOR.local\n');
    expect(after).toContain('# dockhand replaced: 10.1.1.1 harbor.local\n');
    expect(resolveFromHosts(after).get('harbor.local')).toBe('10.0.0.9');
  });

  it('leaves a line that already gives the pinned address alone', () => {
    const same = `10.0.0.9 harbor.local\n${DOCKER_HOSTS}`;
    expect(editHosts(same, { pin: [{ name: 'harbor.local', ip: '10.0.0.9' }], unpin: [] })).toBe(same + block('10.0.0.9\tharbor.local'));
  });

  it('unpins exactly the names asked and removes an empty block', () => {
    const start = DOCKER_HOSTS + block('10.0.0.1\ta.local', '10.0.0.2\tb.local');
    expect(editHosts(start, { pin: [], unpin: ['a.local'] })).toBe(DOCKER_HOSTS + block('10.0.0.2\tb.local'));
    expect(editHosts(start, { pin: [], unpin: ['a.local', 'b.local'] })).toBe(DOCKER_HOSTS);
  });

  it('adds a newline to a file that lacks one before the block', () => {
    expect(editHosts('127.0.0.1 localhost', { pin: [{ name: 'h', ip: '10.0.0.1' }], unpin: [] })).toBe(
      `127.0.0.1 localhost\n${block('10.0.0.1\th')}`,
    );
  });
});
