// The node's view of its registries: the probes' raw output (src/reach/reach.sh, as curl 7.88 and
// OpenSSL 3.0 on a Debian 12 node print it) judged into outcomes, and what they mean for a run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSections } from '../../../src/formats/sections.ts';
import type { RegistrySpec } from '../../../src/playbook/types.ts';
import { judgeReach } from '../../../src/reach/judge.ts';
import { parseReach, servedChain } from '../../../src/reach/parse.ts';
import { reachTargets, reachVariables } from '../../../src/reach/targets.ts';
import { proxyEnvironment } from '../../../src/registry/no-proxy.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const CHAIN = fixture('served-chain.pem');
const RIGHT_CA = fixture('test-ca.crt');
const OTHER_CA = fixture('other-ca.crt');

const https: RegistrySpec = { host: 'harbor.lab.local', ip: '10.0.0.5', insecure: false, ca: { file: '/play/ca.crt', pem: RIGHT_CA }, state: 'present' };
const http: RegistrySpec = { host: 'harbor-http.lab.local', ip: '10.0.0.6', insecure: true, ca: undefined, state: 'present' };

const out = (...sections: [string, string][]) => `${sections.map(([head, body]) => `\n@@dockhand:${head}@@\n${body}`).join('')}\n`;

const REACHABLE = 'tool curl\nexit 0\nhttp 401\nconnect 000\n';
const WRONG_CA = 'tool curl\nexit 60\nhttp 000\nconnect 000\nsaid curl: (60) SSL certificate problem: unable to get local issuer certificate\n';
const REFUSED = 'tool curl\nexit 7\nhttp 000\nconnect 000\nsaid connect to 10.0.0.5 port 443 failed: Connection refused\nsaid curl: (7) Failed to connect to harbor.lab.local port 443 after 2 ms: Couldn\'t connect to server\n';
const TIMED_OUT = 'tool curl\nexit 28\nhttp 000\nconnect 000\nsaid curl: (28) Connection timed out after 3001 milliseconds\n';
const TUNNEL_403 = 'tool curl\nexit 56\nhttp 000\nconnect 403\nsaid curl: (56) CONNECT tunnel failed, response 403\n';
const PROXY_403 = 'tool curl\nexit 0\nhttp 403\nconnect 000\n';

describe('the probes of a run', () => {
  it('try each present registry: https with the play\'s CA at its pinned address, an insecure one over plain http', () => {
    const targets = reachTargets([https, http, { ...http, host: 'gone.lab', state: 'absent' }, { host: 'h.lab:5000', ip: undefined, insecure: false, ca: undefined, state: 'present' }]);
    const vars = reachVariables(targets);
    expect(vars['REACH_TARGETS']).toBe('1 https harbor.lab.local 443 10.0.0.5\n2 http harbor-http.lab.local 80 10.0.0.6\n3 https h.lab 5000 -');
    expect(vars['REACH_CA_1']).toBe(RIGHT_CA);
    expect(vars['REACH_CA_2']).toBeUndefined();
    expect(Number(vars['REACH_CONNECT'])).toBeLessThan(Number(vars['REACH_LIMIT']));
  });
});

describe('judging the probes', () => {
  const targets = reachTargets([https, http]);

  it('reads a reachable registry, its served chain, and a proxy that refuses the tunnel or the request', () => {
    const probes = parseReach(
      parseSections(out(['reach 1 direct', REACHABLE], ['reach 1 via docker', TUNNEL_403], ['reach-chain 1', CHAIN], ['reach 2 direct', REACHABLE.replace('401', '200')], ['reach 2 via docker', PROXY_403])),
      targets,
    );
    expect(probes[0]).toEqual({
      registry: 'harbor.lab.local',
      direct: { outcome: 'reachable', detail: 'HTTP 401 from /v2/' },
      proxied: { docker: { outcome: 'proxy', detail: 'the proxy refused the tunnel (CONNECT answered HTTP 403)' } },
      chain: [
        { subject: 'O=dockhand test, CN=harbor.lab.local', issuer: 'O=dockhand test, CN=dockhand test CA', expires: expect.stringMatching(/^2035-/) },
        { subject: 'O=dockhand test, CN=dockhand test CA', issuer: 'O=dockhand test, CN=dockhand test CA', expires: expect.stringMatching(/^20\d\d-/) },
      ],
    });
    expect(probes[1]?.proxied['docker']).toEqual({ outcome: 'proxy', detail: 'the proxy answered HTTP 403' });
  });

  it('tells refused, timed out and a certificate the CA does not accept apart, with the reason', () => {
    const [refused] = parseReach(parseSections(out(['reach 1 direct', REFUSED])), targets);
    expect(refused?.direct?.outcome).toBe('refused');
    expect(refused?.direct?.detail).toMatch(/Connection refused/);
    const [late] = parseReach(parseSections(out(['reach 1 direct', TIMED_OUT])), targets);
    expect(late?.direct).toEqual({ outcome: 'timed-out', detail: 'no answer within 3 s' });
    const [tls] = parseReach(parseSections(out(['reach 1 direct', WRONG_CA])), targets);
    expect(tls?.direct).toEqual({ outcome: 'tls-error', detail: 'SSL certificate problem: unable to get local issuer certificate' });
  });

  it('reads openssl s_client where the node has no curl', () => {
    const ok = 'tool openssl\nexit 0\nconnected yes\nverify 0 (ok)\n';
    const bad = 'tool openssl\nexit 1\nconnected yes\nverify 20 (unable to get local issuer certificate)\nsaid verify error:num=20:unable to get local issuer certificate\n';
    const refused = 'tool openssl\nexit 1\nconnected no\nsaid connect:errno=111\n';
    const [a] = parseReach(parseSections(out(['reach 1 direct', ok])), targets);
    const [b] = parseReach(parseSections(out(['reach 1 direct', bad])), targets);
    const [c] = parseReach(parseSections(out(['reach 1 direct', refused])), targets);
    expect(a?.direct?.outcome).toBe('reachable');
    expect(b?.direct).toEqual({ outcome: 'tls-error', detail: 'certificate not accepted: unable to get local issuer certificate' });
    expect(c?.direct?.outcome).toBe('refused');
  });

  it('reads no certificate out of garbage', () => {
    expect(servedChain('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n')).toEqual([]);
  });
});

describe('what the view means for a run', () => {
  const proxy = proxyEnvironment({ HTTPS_PROXY: 'http://u:secret@proxy:8888', HTTP_PROXY: 'http://u:secret@proxy:8888', NO_PROXY: 'localhost' });
  const covered = { ...proxy, noProxy: 'localhost,harbor.lab.local,10.0.0.5' };

  it('a runtime behind the proxy now goes direct after the run: judged the way it will go, the proxy shown masked', () => {
    const targets = reachTargets([https]);
    const probes = parseReach(parseSections(out(['reach 1 direct', REACHABLE], ['reach 1 via docker', TUNNEL_403], ['reach-chain 1', CHAIN])), targets);
    const verdict = judgeReach([https], targets, probes, [{ name: 'docker', now: proxy, after: covered }]);
    expect(verdict.refusals).toEqual([]);
    expect(verdict.unreachable).toEqual([]);
    expect(verdict.reach[0]).toMatchObject({
      outcome: 'reachable',
      paths: [{ runtime: 'docker', now: 'proxy', after: 'direct' }],
      proxied: [{ runtime: 'docker', proxy: 'http://u:********@proxy:8888', result: { outcome: 'proxy' } }],
    });
  });

  it('a registry still behind the proxy after the run is judged by what the proxy did', () => {
    const targets = reachTargets([https]);
    const probes = parseReach(parseSections(out(['reach 1 direct', REACHABLE], ['reach 1 via docker', TUNNEL_403])), targets);
    const verdict = judgeReach([https], targets, probes, [{ name: 'docker', now: proxy, after: proxy }]);
    expect(verdict.unreachable).toEqual(['cannot reach harbor.lab.local through the proxy (https): proxy in the way: the proxy refused the tunnel (CONNECT answered HTTP 403)']);
  });

  it('names the unreachable registry, the address, the port and the reason', () => {
    const targets = reachTargets([https, http]);
    const probes = parseReach(parseSections(out(['reach 1 direct', REFUSED], ['reach 2 direct', TIMED_OUT])), targets);
    const verdict = judgeReach([https, http], targets, probes, [{ name: 'docker', now: null, after: null }]);
    expect(verdict.unreachable).toEqual([
      expect.stringMatching(/^cannot reach harbor\.lab\.local at 10\.0\.0\.5:443 \(https\): refused: connection refused/),
      'cannot reach harbor-http.lab.local at 10.0.0.6:80 (http): timed out: no answer within 3 s',
    ]);
    expect(verdict.refusals).toEqual([]);
  });

  it("refuses a CA that does not sign what the registry serves, naming the chain and the play's CA", () => {
    const wrong: RegistrySpec = { ...https, ca: { file: '/play/wrong-ca.crt', pem: OTHER_CA } };
    const targets = reachTargets([wrong]);
    const probes = parseReach(parseSections(out(['reach 1 direct', WRONG_CA], ['reach-chain 1', CHAIN])), targets);
    const verdict = judgeReach([wrong], targets, probes, [{ name: 'docker', now: null, after: null }]);
    expect(verdict.refusals).toHaveLength(1);
    expect(verdict.refusals[0]).toContain('harbor.lab.local serves a certificate the play\'s CA does not accept: "O=dockhand test, CN=harbor.lab.local" issued by "O=dockhand test, CN=dockhand test CA"');
    expect(verdict.refusals[0]).toContain("the play's CA (/play/wrong-ca.crt): O=elsewhere, CN=another CA");
    expect(verdict.refusals[0]).toContain('unable to get local issuer certificate');
  });

  it('judges the CA on the proxy\'s tunnel where the node cannot connect straight', () => {
    const targets = reachTargets([https]);
    const probes = parseReach(parseSections(out(['reach 1 direct', TIMED_OUT], ['reach 1 via docker', WRONG_CA])), targets);
    expect(judgeReach([https], targets, probes, [{ name: 'docker', now: proxy, after: proxy }]).refusals).toHaveLength(1);
  });

  it('says nothing where the node could not try (no probe output)', () => {
    const targets = reachTargets([https]);
    const verdict = judgeReach([https], targets, parseReach([], targets), [{ name: 'docker', now: null, after: null }]);
    expect(verdict).toMatchObject({ refusals: [], unreachable: [] });
    expect(verdict.reach[0]?.outcome).toBe('untried');
  });
});
