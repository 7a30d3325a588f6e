// flotctl config / api-resources / completion against kubectl 1.32. Config commands run on two copies of the same
// kubeconfig files (two merged through KUBECONFIG, contexts with namespaces, certificate data, tokens): kubectl on
// one copy, flotctl on the other; outputs, exit codes and the files left behind must be byte for byte the same.
// api-resources is compared with kubectl on one TestCluster; completion is exercised by sourcing the bash script in
// a non-interactive bash and calling its function with COMP_WORDS/COMP_CWORD set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOTCTL, KUBECTL, ROOT, TestCluster } from './harness.js';

type Run = { code: number; stdout: string; stderr: string };
let c: TestCluster;
let work: string;

function run(tool: 'kubectl' | 'flotctl', args: string[], env: Record<string, string>, cwd: string): Run {
  const [cmd, pre] = tool === 'kubectl' ? [KUBECTL, []] : [process.execPath, [FLOTCTL]];
  const base = { ...process.env };
  delete base.KUBECONFIG; // only what the test gives
  const r = spawnSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...base, HOME: cwd, ...env } });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n').toString('base64');
const A = `apiVersion: v1
kind: Config
clusters:
- name: zeta
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: ${CA}
- name: alpha
  cluster:
    server: http://127.0.0.1:1
    certificate-authority: ca.crt
users:
- name: admin
  user:
    client-certificate-data: ${Buffer.from('cert').toString('base64')}
    client-key-data: ${Buffer.from('key').toString('base64')}
- name: tok
  user: {token: secret-token}
contexts:
- name: prod
  context: {cluster: zeta, user: admin, namespace: shop}
- name: dev
  context: {cluster: alpha, user: tok}
current-context: prod
unknownTopLevel: dropped
`;
const B = `apiVersion: v1
kind: Config
clusters:
- name: alpha
  cluster: {server: http://shadowed}
- name: beta
  cluster: {server: https://b.example:443, insecure-skip-tls-verify: true}
users:
- name: bob
  user: {username: bob, password: pw}
contexts:
- name: prod
  context: {cluster: beta, user: bob}
- name: staging
  context: {cluster: beta, user: bob, namespace: "yes"}
current-context: staging
`;

/** A fresh pair of directories holding the same files: k/ for kubectl, f/ for flotctl. */
function pair(name: string, files: Record<string, string>): { k: string; f: string } {
  const k = join(work, name, 'k');
  const f = join(work, name, 'f');
  for (const d of [k, f]) {
    mkdirSync(d, { recursive: true });
    for (const [n, t] of Object.entries(files)) writeFileSync(join(d, n), t);
  }
  return { k, f };
}

/** Every file under a directory (relative path -> mode and content), to compare what each tool left behind. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (n === '.kube' && existsSync(join(p, 'cache'))) continue; // kubectl's discovery cache
    if (statSync(p).isDirectory()) Object.assign(out, tree(p, `${prefix}${n}/`));
    else out[`${prefix}${n}`] = `mode ${(statSync(p).mode & 0o777).toString(8)}\n${readFileSync(p, 'utf8')}`;
  }
  return out;
}

/** Runs the same command with both tools on their own copies; output, exit code and files must be identical. */
function same(dirs: { k: string; f: string }, args: string[], env: Record<string, string> = {}): Run {
  const k = run('kubectl', args, env, dirs.k);
  const f = run('flotctl', args, env, dirs.f);
  const label = `${args.join(' ')} (KUBECONFIG=${env.KUBECONFIG ?? ''})`;
  assert.equal(f.stdout, k.stdout, `stdout of ${label}`);
  assert.equal(f.stderr, k.stderr.replaceAll('kubectl', 'flotctl'), `stderr of ${label}`);
  assert.equal(f.code, k.code, `exit code of ${label}`);
  assert.deepEqual(tree(dirs.f), tree(dirs.k), `files after ${label}`);
  return f;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flotctl-config-'));
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('config view merges KUBECONFIG files and redacts data as kubectl does', () => {
  const d = pair('view', { 'a.yaml': A, 'b.yaml': B, 'ca.crt': 'CA FROM FILE\n' });
  const env = { KUBECONFIG: 'a.yaml:b.yaml' };
  const out = same(d, ['config', 'view'], env);
  assert.match(out.stdout, /certificate-authority-data: DATA\+OMITTED/);
  assert.match(out.stdout, /token: REDACTED/);
  for (const args of [['--raw'], ['-o', 'json'], ['--raw', '-o', 'json'], ['--minify'], ['--minify', '--context', 'staging', '--raw'], ['--flatten'], ['--flatten', '--minify', '--context', 'dev', '-o', 'json']]) {
    same(d, ['config', 'view', ...args], env);
  }
  same(d, ['config', 'view'], { KUBECONFIG: 'b.yaml:a.yaml' });
  same(d, ['config', '--kubeconfig', 'b.yaml', 'view', '--raw'], env);
  same(d, ['config', 'view', 'extra'], env);
});

test('config get-contexts and current-context', () => {
  const d = pair('get', { 'a.yaml': A, 'b.yaml': B });
  const env = { KUBECONFIG: 'a.yaml:b.yaml' };
  const out = same(d, ['config', 'get-contexts'], env);
  assert.match(out.stdout, /^\*\s+prod\s+zeta\s+admin\s+shop$/m);
  same(d, ['config', 'get-contexts', '--no-headers'], env);
  same(d, ['config', 'get-contexts', '-o', 'name'], env);
  same(d, ['config', 'get-contexts', 'dev'], env);
  const missing = same(d, ['config', 'get-contexts', 'dev', 'nope'], env);
  assert.equal(missing.code, 1);
  same(d, ['config', 'get-contexts', 'x', 'y'], env);
  assert.equal(same(d, ['config', 'current-context'], env).stdout, 'prod\n');
  same(d, ['config', 'current-context'], { KUBECONFIG: 'b.yaml:a.yaml' });
});

test('config use-context and set-context write the file kubectl chooses', () => {
  const d = pair('write', { 'a.yaml': A, 'b.yaml': B });
  const env = { KUBECONFIG: 'a.yaml:b.yaml' };
  assert.equal(same(d, ['config', 'use-context', 'staging'], env).stdout, 'Switched to context "staging".\n');
  same(d, ['config', 'use', 'dev'], env);
  same(d, ['config', 'use-context', 'dev'], env); // unchanged: nothing rewritten
  const bad = same(d, ['config', 'use-context', 'nope'], env);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'error: no context exists with the name: "nope"\n');
  same(d, ['config', 'use-context', ''], env);
  // staging is defined only in b.yaml; prod in both (a.yaml's wins and is the one modified).
  assert.equal(same(d, ['config', 'set-context', 'staging', '--namespace=ops'], env).stdout, 'Context "staging" modified.\n');
  same(d, ['config', 'set-context', 'prod', '--namespace='], env);
  same(d, ['config', 'set-context', '--current', '--namespace=team', '--user=bob'], env);
  assert.equal(same(d, ['config', 'set-context', 'fresh', '--cluster=beta', '--namespace=x'], env).stdout, 'Context "fresh" created.\n');
  same(d, ['config', 'set-context', 'dev'], env);
  same(d, ['config', 'set-context'], env);
  same(d, ['config', 'set-context', 'dev', '--current'], env);
  same(d, ['config', '--kubeconfig', 'b.yaml', 'use-context', 'prod'], env);
  same(d, ['config', 'get-contexts'], env);
  same(d, ['config', 'view', '--raw'], env);
});

test('config works with missing and empty kubeconfigs', () => {
  const d = pair('empty', { 'empty.yaml': '' });
  for (const env of [{ KUBECONFIG: 'none.yaml' }, { KUBECONFIG: 'empty.yaml' }, {}] as Record<string, string>[]) {
    same(d, ['config', 'view'], env);
    same(d, ['config', 'view', '-o', 'json'], env);
    same(d, ['config', 'view', '--minify'], env);
    assert.equal(same(d, ['config', 'current-context'], env).code, 1);
    same(d, ['config', 'get-contexts'], env);
    same(d, ['config', 'use-context', 'x'], env);
    same(d, ['config', 'set-context', '--current', '--namespace=x'], env);
  }
  // Nothing exists: a new context goes to the last file of the list (creating its folder), or to ~/.kube/config.
  same(d, ['config', 'set-context', 'made', '--namespace=n1'], { KUBECONFIG: 'x1.yaml:sub/x2.yaml' });
  same(d, ['config', 'use-context', 'made'], { KUBECONFIG: 'x1.yaml:sub/x2.yaml' });
  same(d, ['config', 'set-context', 'home', '--namespace=n2'], {});
  same(d, ['config', 'use-context', 'home'], {});
  same(d, ['config', '--kubeconfig', 'explicit.yaml', 'set-context', 'e', '--user=u'], {});
  same(d, ['config', 'bogus'], {});
});

test('api-resources prints discovery as kubectl does', () => {
  const env = { KUBECONFIG: c.apiserver.kubeconfig };
  const dir = join(work, 'api');
  mkdirSync(dir, { recursive: true });
  for (const args of [[], ['-o', 'wide'], ['-o', 'name'], ['--namespaced=false'], ['--api-group=apps', '--no-headers'], ['--api-group='], ['--sort-by=kind'], ['--verbs=list', '--categories=all'], ['-o', 'json'], ['--sort-by=size'], ['extra']]) {
    const k = run('kubectl', ['api-resources', ...args], env, dir);
    const f = run('flotctl', ['api-resources', ...args], env, dir);
    assert.equal(f.stdout, k.stdout, `stdout of api-resources ${args.join(' ')}`);
    assert.equal(f.stderr, k.stderr.replaceAll('kubectl', 'flotctl'), `stderr of api-resources ${args.join(' ')}`);
    assert.equal(f.code, k.code, `exit code of api-resources ${args.join(' ')}`);
  }
  const names = run('flotctl', ['api-resources', '-o', 'name'], env, dir).stdout;
  assert.match(names, /^deployments\.apps$/m);
});

test('completion: scripts, kubectl messages, and bash completing commands, types and names from the server', () => {
  const dir = join(work, 'completion');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const args of [[], ['fish-ish'], ['bash', 'zsh']]) {
    const k = run('kubectl', ['completion', ...args], {}, dir);
    const f = run('flotctl', ['completion', ...args], {}, dir);
    assert.equal(f.stderr, k.stderr.replaceAll('kubectl', 'flotctl'));
    assert.equal(f.code, k.code);
    assert.equal(f.stdout, '');
  }
  assert.match(run('flotctl', ['completion', 'zsh'], {}, dir).stdout, /bashcompinit/);
  for (const n of ['web', 'webapp', 'other']) c.ok(['create', 'deployment', n, '--image=nginx']);
  symlinkSync(join(ROOT, 'bin/flotctl.js'), join(dir, 'bin/flotctl'));
  cpSync(c.apiserver.kubeconfig, join(dir, 'kubeconfig'));
  // A dead server: the object-name lookup must give nothing, quietly.
  writeFileSync(join(dir, 'dead'), readFileSync(c.apiserver.kubeconfig, 'utf8').replace(/server: \S+/, 'server: http://127.0.0.1:1'));
  const script = `source <(flotctl completion bash)
t() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _flotctl; echo "$(IFS=,; echo "\${COMPREPLY[*]}")"; }
t flotctl ge
t flotctl get dep
t flotctl get deployments we
t flotctl get deployments ''
t flotctl describe deploy/w
t flotctl get pods --
t flotctl -n default get deployments o
t flotctl get --namespace = kube-p
KUBECONFIG=dead t flotctl get deployments ''
`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, KUBECONFIG: join(dir, 'kubeconfig') } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const [ge, dep, we, any, slash, flags, ns, nsEq, dead] = r.stdout.split('\n');
  assert.equal(ge, 'get');
  assert.equal(dep, 'deployments');
  assert.equal(we, 'web,webapp');
  assert.equal(any, 'other,web,webapp');
  assert.equal(slash, 'deploy/web,deploy/webapp');
  assert.ok((flags as string).split(',').includes('--selector') && (flags as string).split(',').includes('--namespace'), flags);
  assert.equal(ns, 'other');
  assert.equal(nsEq, 'kube-public');
  assert.equal(dead, '');
});
