/**
 * @module
 * Smoke test with the third-party S3 clients people actually use, each from
 * Debian's packages (installed by .ci/install-smoke-tools.sh): the aws CLI v2
 * (/usr/bin/aws — another, older `aws` may come first on PATH), s3cmd (SigV4
 * and SigV2), rclone, and boto3 under Debian's /usr/bin/python3 (including its
 * default SigV2 presigned URL and POST form).
 *
 * Signet runs as a child process (`node bin/signet.js serve`) on a
 * free loopback port with a temporary data folder; every tool runs as a
 * subprocess with a bounded time and an environment built here from nothing
 * (HOME is a temporary folder, so no user configuration leaks in; in
 * particular rclone never sees AWS_CA_BUNDLE, which makes rclone 1.60 fail).
 *
 * A missing tool fails its test under CI (CI=true) and skips it elsewhere.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, constants, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT_USER = 'smoke-root';
const ROOT_PASSWORD = 'smoke-root-secret-123';
const REGION = 'us-east-1';
const MIB = 1024 * 1024;

const AWS = '/usr/bin/aws';
const S3CMD = '/usr/bin/s3cmd';
const RCLONE = '/usr/bin/rclone';
const PYTHON = '/usr/bin/python3';
const BOTO3_SCRIPT = join(REPO_ROOT, 'test/smoke/boto3_smoke.py');

/** Upper bound for one tool invocation. */
const CALL_TIMEOUT_MS = 120_000;
/** Upper bound for one tool's whole test. */
const TOOL_TEST_TIMEOUT_MS = 6 * 60_000;

const UNICODE_KEY = 'dir one/naïve file.txt';
const SMALL = Buffer.from('héllo, Signet ✓ — a small file with a unicode key\n'.repeat(40));

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command (no shell) with an explicit environment and a time bound; never throws for a non-zero exit. */
function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    execFile(
      cmd,
      args,
      { env, cwd: opts.cwd, timeout: opts.timeoutMs ?? CALL_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * MIB, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals; killed?: boolean }) | null;
        let code: number | null = 0;
        if (err) code = typeof err.code === 'number' ? err.code : null;
        let extra = '';
        if (err && typeof err.code === 'string') extra = `\n[spawn error: ${err.code} ${err.message}]`;
        if (err?.killed) extra += `\n[killed after ${opts.timeoutMs ?? CALL_TIMEOUT_MS} ms]`;
        resolvePromise({ code, signal: err?.signal ?? null, stdout, stderr: stderr + extra });
      },
    );
  });
}

function describeRun(cmd: string, args: readonly string[], r: RunResult): string {
  const clip = (s: string) => (s.length > 4000 ? `${s.slice(0, 4000)}… (${s.length} chars)` : s);
  return `${cmd} ${args.map((a) => JSON.stringify(a)).join(' ')}\n  exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\n  stdout: ${clip(r.stdout)}\n  stderr: ${clip(r.stderr)}`;
}

/** A runner bound to one tool and environment that asserts exit 0 (or expects failure). */
function tool(cmd: string, env: NodeJS.ProcessEnv, baseArgs: readonly string[] = []) {
  const ok = async (...args: string[]): Promise<RunResult> => {
    const all = [...baseArgs, ...args];
    const r = await run(cmd, all, env);
    assert.equal(r.code, 0, `command failed:\n${describeRun(cmd, all, r)}`);
    return r;
  };
  const fails = async (...args: string[]): Promise<RunResult> => {
    const all = [...baseArgs, ...args];
    const r = await run(cmd, all, env);
    assert.notEqual(r.code, 0, `command was expected to fail:\n${describeRun(cmd, all, r)}`);
    return r;
  };
  return { ok, fails };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The base environment every tool gets: nothing inherited but PATH. */
function baseEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    TMPDIR: home,
  };
}

const toolVersions: Record<string, string> = {};

/**
 * Checks that a tool is there (and is the expected one). Returns true when the
 * test may go on; under CI a missing tool fails the test, elsewhere it skips it.
 */
async function requireTool(t: TestContext, name: string, check: () => Promise<string | null>): Promise<boolean> {
  const problem = await check();
  if (problem === null) return true;
  const reason = `${name} unavailable: ${problem} (install with: bash .ci/install-smoke-tools.sh)`;
  if (process.env.CI === 'true') assert.fail(`${reason} — CI requires it`);
  t.skip(reason);
  return false;
}

/** Checks an executable exists and its version output matches; records the version. */
function versionCheck(name: string, path: string, args: string[], expect: RegExp, env: NodeJS.ProcessEnv): () => Promise<string | null> {
  return async () => {
    if (!(await isExecutable(path))) return `${path} not found`;
    const r = await run(path, args, env, { timeoutMs: 60_000 });
    const out = `${r.stdout}${r.stderr}`.trim();
    if (r.code !== 0) return `${path} ${args.join(' ')} exited ${r.code}: ${out.slice(0, 500)}`;
    if (!expect.test(out)) return `${path} is not the expected tool (${out.split('\n')[0]}; wanted ${expect})`;
    toolVersions[name] = out.split('\n')[0] ?? out;
    return null;
  };
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

async function assertSameFile(actualPath: string, expected: Buffer, what: string): Promise<void> {
  const actual = await readFile(actualPath);
  assert.equal(actual.length, expected.length, `${what}: size ${actual.length}, expected ${expected.length}`);
  assert.equal(sha256(actual), sha256(expected), `${what}: content differs`);
}

async function fetchBytes(url: string, init?: RequestInit): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

describe('third-party S3 tools against a Signet child process', { timeout: 30 * 60_000 }, () => {
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let serverExit: string | null = null;
  let endpoint = '';
  let port = 0;
  let work = '';
  let dataDir = '';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'signet-smoke-'));
    dataDir = join(work, 'data');
    await mkdir(dataDir);
    port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SIGNET_')) env[k] = v;
    Object.assign(env, { SIGNET_ROOT_USER: ROOT_USER, SIGNET_ROOT_PASSWORD: ROOT_PASSWORD, SIGNET_LOG_LEVEL: 'warn' });
    server = spawn(
      process.execPath,
      ['bin/signet.js', 'serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir, '--region', REGION],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      serverOutput += chunk.toString('utf8');
      if (serverOutput.length > 200_000) serverOutput = serverOutput.slice(-100_000);
    };
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    server.on('exit', (code, signal) => {
      serverExit = `exited with ${code ?? signal}`;
    });

    const deadline = Date.now() + 60_000;
    let last = '';
    while (true) {
      if (serverExit !== null) assert.fail(`Signet ${serverExit} before answering /health:\n${serverOutput}`);
      try {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) break;
        last = `status ${res.status}`;
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
      }
      if (Date.now() > deadline) assert.fail(`Signet did not answer /health with 200 within 60 s (last: ${last}):\n${serverOutput}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((r) => server?.once('exit', () => r()));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (Object.keys(toolVersions).length > 0) {
      console.log(`# smoke tool versions: ${JSON.stringify(toolVersions)}`);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A fresh folder for one tool (its HOME, its files). */
  async function toolDir(name: string): Promise<string> {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  function assertServerAlive(): void {
    assert.equal(serverExit, null, `Signet ${serverExit}:\n${serverOutput}`);
  }

  // ---------------------------------------------------------------- aws CLI v2
  it('aws CLI v2 (Debian /usr/bin/aws)', { timeout: TOOL_TEST_TIMEOUT_MS }, async (t) => {
    const dir = await toolDir('aws');
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(dir),
      AWS_ACCESS_KEY_ID: ROOT_USER,
      AWS_SECRET_ACCESS_KEY: ROOT_PASSWORD,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    if (!(await requireTool(t, 'aws', versionCheck('aws', AWS, ['--version'], /^aws-cli\/2\./, env)))) return;
    const aws = tool(AWS, env, ['--endpoint-url', endpoint, '--no-cli-pager']);
    const bucket = 'smoke-aws';
    const s3 = (k: string) => `s3://${bucket}/${k}`;

    const smallPath = join(dir, 'small.txt');
    await writeFile(smallPath, SMALL);
    const big = randomBytes(20 * MIB);
    const bigPath = join(dir, 'big.bin');
    await writeFile(bigPath, big);
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'sub dir'), { recursive: true });
    await writeFile(join(tree, 'a.txt'), 'a\n');
    await writeFile(join(tree, 'sub dir', 'ü b.txt'), 'b\n');

    // make bucket
    await aws.ok('s3', 'mb', `s3://${bucket}`);
    const buckets = JSON.parse((await aws.ok('s3api', 'list-buckets')).stdout) as { Buckets: { Name: string }[] };
    assert.ok(buckets.Buckets.some((b) => b.Name === bucket), JSON.stringify(buckets));

    // upload: small with unicode key and metadata; big goes multipart (20 MiB > 8 MiB threshold); a folder recursively
    await aws.ok('s3', 'cp', smallPath, s3(UNICODE_KEY), '--content-type', 'text/plain; charset=utf-8', '--metadata', 'color=blue');
    await aws.ok('s3', 'cp', bigPath, s3('big/twenty mib.bin'));
    await aws.ok('s3', 'cp', '--recursive', tree, s3('tree/'));

    // list
    const ls = (await aws.ok('s3', 'ls', '--recursive', `s3://${bucket}`)).stdout;
    for (const k of [UNICODE_KEY, 'big/twenty mib.bin', 'tree/a.txt', 'tree/sub dir/ü b.txt']) assert.ok(ls.includes(k), `aws s3 ls lacks ${k}:\n${ls}`);
    const listed = JSON.parse((await aws.ok('s3api', 'list-objects-v2', '--bucket', bucket)).stdout) as { Contents: { Key: string; Size: number }[] };
    assert.deepEqual(
      listed.Contents.map((c) => [c.Key, c.Size]),
      [
        ['big/twenty mib.bin', big.length],
        [UNICODE_KEY, SMALL.length],
        ['tree/a.txt', 2],
        ['tree/sub dir/ü b.txt', 2],
      ],
    );
    const delimited = JSON.parse((await aws.ok('s3api', 'list-objects-v2', '--bucket', bucket, '--delimiter', '/')).stdout) as {
      CommonPrefixes: { Prefix: string }[];
    };
    assert.deepEqual(delimited.CommonPrefixes.map((p) => p.Prefix), ['big/', 'dir one/', 'tree/']);

    // download and compare
    await aws.ok('s3', 'cp', s3(UNICODE_KEY), join(dir, 'small.down'));
    await assertSameFile(join(dir, 'small.down'), SMALL, 'aws small download');
    await aws.ok('s3', 'cp', s3('big/twenty mib.bin'), join(dir, 'big.down'));
    await assertSameFile(join(dir, 'big.down'), big, 'aws multipart download');

    // metadata
    const head = JSON.parse((await aws.ok('s3api', 'head-object', '--bucket', bucket, '--key', UNICODE_KEY)).stdout) as {
      ContentLength: number;
      ContentType: string;
      ETag: string;
      Metadata: Record<string, string>;
    };
    assert.equal(head.ContentLength, SMALL.length);
    assert.equal(head.ContentType, 'text/plain; charset=utf-8');
    assert.deepEqual(head.Metadata, { color: 'blue' });
    assert.equal(head.ETag, `"${createHash('md5').update(SMALL).digest('hex')}"`);
    const bigHead = JSON.parse((await aws.ok('s3api', 'head-object', '--bucket', bucket, '--key', 'big/twenty mib.bin')).stdout) as {
      ContentLength: number;
      ETag: string;
    };
    assert.equal(bigHead.ContentLength, big.length);
    assert.match(bigHead.ETag, /^"[0-9a-f]{32}-\d+"$/, 'the 20 MiB upload should have been multipart');

    // server-side copy: small (CopyObject) and big (the CLI copies >8 MiB with UploadPartCopy)
    await aws.ok('s3', 'cp', s3(UNICODE_KEY), s3('copies/naïve copy.txt'));
    await aws.ok('s3', 'cp', s3('big/twenty mib.bin'), s3('copies/big copy.bin'));
    await aws.ok('s3', 'cp', s3('copies/naïve copy.txt'), join(dir, 'copy.down'));
    await assertSameFile(join(dir, 'copy.down'), SMALL, 'aws server-side copy');
    const copyHead = JSON.parse((await aws.ok('s3api', 'head-object', '--bucket', bucket, '--key', 'copies/naïve copy.txt')).stdout) as {
      Metadata: Record<string, string>;
    };
    assert.deepEqual(copyHead.Metadata, { color: 'blue' }, 'a copy keeps the metadata');
    await aws.ok('s3', 'cp', s3('copies/big copy.bin'), join(dir, 'bigcopy.down'));
    await assertSameFile(join(dir, 'bigcopy.down'), big, 'aws multipart server-side copy');

    // tagging
    await aws.ok('s3api', 'put-object-tagging', '--bucket', bucket, '--key', UNICODE_KEY, '--tagging', JSON.stringify({ TagSet: [{ Key: 'env', Value: 'smoke' }, { Key: 'tool', Value: 'aws cli' }] }));
    const tags = JSON.parse((await aws.ok('s3api', 'get-object-tagging', '--bucket', bucket, '--key', UNICODE_KEY)).stdout) as { TagSet: { Key: string; Value: string }[] };
    assert.deepEqual(
      tags.TagSet.map((x) => `${x.Key}=${x.Value}`).sort(),
      ['env=smoke', 'tool=aws cli'],
    );

    // presign, fetched with node's fetch
    const url = (await aws.ok('s3', 'presign', s3(UNICODE_KEY), '--expires-in', '300')).stdout.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    const q = new URL(url).searchParams;
    assert.equal(q.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256', `aws s3 presign makes SigV4 URLs: ${url}`);
    const got = await fetchBytes(url);
    assert.equal(got.status, 200, `GET presigned ${url}: ${got.body.toString('utf8').slice(0, 500)}`);
    assert.equal(sha256(got.body), sha256(SMALL), 'presigned GET body');
    const tampered = url.replace(/(X-Amz-Signature|Signature)=([0-9a-zA-Z%])/, (_m, k: string, c: string) => `${k}=${c === '0' ? '1' : '0'}`);
    assert.notEqual(tampered, url);
    assert.equal((await fetchBytes(tampered)).status, 403, 'a tampered presigned URL is refused');

    // delete: single, batch, recursive; then remove the bucket
    await aws.ok('s3', 'rm', s3('copies/naïve copy.txt'));
    await aws.fails('s3api', 'head-object', '--bucket', bucket, '--key', 'copies/naïve copy.txt');
    const batch = JSON.parse(
      (await aws.ok('s3api', 'delete-objects', '--bucket', bucket, '--delete', JSON.stringify({ Objects: [{ Key: 'copies/big copy.bin' }, { Key: 'big/twenty mib.bin' }] }))).stdout,
    ) as { Deleted?: { Key: string }[]; Errors?: unknown[] };
    assert.deepEqual(batch.Deleted?.map((d) => d.Key).sort(), ['big/twenty mib.bin', 'copies/big copy.bin']);
    assert.equal(batch.Errors, undefined);
    await aws.ok('s3', 'rm', '--recursive', `s3://${bucket}/`);
    const empty = JSON.parse((await aws.ok('s3api', 'list-objects-v2', '--bucket', bucket)).stdout || '{}') as { KeyCount?: number; Contents?: unknown[] };
    assert.equal(empty.Contents, undefined, JSON.stringify(empty));
    await aws.ok('s3', 'rb', `s3://${bucket}`);
    await aws.fails('s3api', 'head-bucket', '--bucket', bucket);
    assertServerAlive();
  });

  // ---------------------------------------------------------------- s3cmd
  for (const sigV2 of [false, true]) {
    const label = sigV2 ? 'SigV2' : 'SigV4';
    it(`s3cmd (${label})`, { timeout: TOOL_TEST_TIMEOUT_MS }, async (t) => {
      const dir = await toolDir(`s3cmd-${label}`);
      const env = baseEnv(dir);
      if (!(await requireTool(t, 's3cmd', versionCheck('s3cmd', S3CMD, ['--version'], /^s3cmd version 2\./, env)))) return;
      const cfg = join(dir, 's3cfg');
      await writeFile(
        cfg,
        [
          '[default]',
          `access_key = ${ROOT_USER}`,
          `secret_key = ${ROOT_PASSWORD}`,
          `host_base = 127.0.0.1:${port}`,
          `host_bucket = 127.0.0.1:${port}`,
          'use_https = False',
          `signature_v2 = ${sigV2 ? 'True' : 'False'}`,
          `bucket_location = ${REGION}`,
          'check_ssl_certificate = False',
          'progress_meter = False',
          '',
        ].join('\n'),
      );
      const s3cmd = tool(S3CMD, env, ['--config', cfg, '--no-progress']);
      const bucket = `smoke-s3cmd-${label.toLowerCase()}`;
      const s3 = (k: string) => `s3://${bucket}/${k}`;

      const smallPath = join(dir, 'small.txt');
      await writeFile(smallPath, SMALL);
      const big = randomBytes(12 * MIB);
      const bigPath = join(dir, 'big.bin');
      await writeFile(bigPath, big);
      const tree = join(dir, 'tree');
      await mkdir(join(tree, 'sub dir'), { recursive: true });
      await writeFile(join(tree, 'a.txt'), 'a\n');
      await writeFile(join(tree, 'sub dir', 'ü b.txt'), 'b\n');

      await s3cmd.ok('mb', `s3://${bucket}`);
      const buckets = (await s3cmd.ok('ls')).stdout;
      assert.ok(buckets.includes(`s3://${bucket}`), buckets);

      // upload: small with a unicode key, big in 5 MiB parts (12 MiB → 3 parts), a folder recursively
      await s3cmd.ok('put', smallPath, s3(UNICODE_KEY), '--mime-type=text/plain', '--add-header=x-amz-meta-color:blue');
      // (--progress: only the progress lines name the parts)
      const putBig = await s3cmd.ok('put', '--progress', '--multipart-chunk-size-mb=5', bigPath, s3('big/twelve mib.bin'));
      assert.match(putBig.stdout + putBig.stderr, /part 3 of 3/, `s3cmd should have uploaded in 3 parts:\n${putBig.stdout}${putBig.stderr}`);
      await s3cmd.ok('put', '--recursive', `${tree}/`, s3('tree/'));

      // list
      const ls = (await s3cmd.ok('ls', '--recursive', `s3://${bucket}`)).stdout;
      for (const k of [UNICODE_KEY, 'big/twelve mib.bin', 'tree/a.txt', 'tree/sub dir/ü b.txt']) assert.ok(ls.includes(s3(k)), `s3cmd ls lacks ${k}:\n${ls}`);
      const top = (await s3cmd.ok('ls', `s3://${bucket}`)).stdout;
      for (const p of ['big/', 'dir one/', 'tree/']) assert.ok(top.includes(`DIR  ${s3(p)}`), `s3cmd ls lacks prefix ${p}:\n${top}`);

      // download and compare (s3cmd also checks the MD5 it stored at upload)
      await s3cmd.ok('get', '--force', s3(UNICODE_KEY), join(dir, 'small.down'));
      await assertSameFile(join(dir, 'small.down'), SMALL, 's3cmd small download');
      await s3cmd.ok('get', '--force', s3('big/twelve mib.bin'), join(dir, 'big.down'));
      await assertSameFile(join(dir, 'big.down'), big, 's3cmd multipart download');

      // metadata
      const info = (await s3cmd.ok('info', s3(UNICODE_KEY))).stdout;
      assert.match(info, new RegExp(`File size:\\s+${SMALL.length}\\b`), info);
      assert.match(info, /MIME type:\s+text\/plain/, info);
      assert.match(info, new RegExp(`MD5 sum:\\s+${createHash('md5').update(SMALL).digest('hex')}`), info);
      assert.match(info, /x-amz-meta-color:\s+blue/, info);
      const bigInfo = (await s3cmd.ok('info', s3('big/twelve mib.bin'))).stdout;
      assert.match(bigInfo, new RegExp(`File size:\\s+${big.length}\\b`), bigInfo);
      assert.match(bigInfo, new RegExp(`MD5 sum:\\s+${createHash('md5').update(big).digest('hex')}`), bigInfo);

      // server-side copy
      await s3cmd.ok('cp', s3(UNICODE_KEY), s3('copies/naïve copy.txt'));
      await s3cmd.ok('get', '--force', s3('copies/naïve copy.txt'), join(dir, 'copy.down'));
      await assertSameFile(join(dir, 'copy.down'), SMALL, 's3cmd server-side copy');
      await s3cmd.ok('cp', s3('big/twelve mib.bin'), s3('copies/big copy.bin'));
      await s3cmd.ok('get', '--force', s3('copies/big copy.bin'), join(dir, 'bigcopy.down'));
      await assertSameFile(join(dir, 'bigcopy.down'), big, 's3cmd server-side copy of a multipart object');

      // presign (s3cmd signurl), fetched with node's fetch
      const expiry = Math.floor(Date.now() / 1000) + 300;
      const url = (await s3cmd.ok('signurl', s3(UNICODE_KEY), String(expiry))).stdout.trim();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
      const q = new URL(url).searchParams;
      // s3cmd signs URLs with SigV2 whatever signature_v2 says
      assert.ok(q.has('AWSAccessKeyId') && q.has('Signature') && q.get('Expires') === String(expiry), `s3cmd signurl makes SigV2 URLs: ${url}`);
      const got = await fetchBytes(url);
      assert.equal(got.status, 200, `GET s3cmd signurl ${url}: ${got.body.toString('utf8').slice(0, 500)}`);
      assert.equal(sha256(got.body), sha256(SMALL), 'signurl GET body');
      const tampered = new URL(url);
      tampered.searchParams.set('Expires', String(expiry + 1));
      assert.equal((await fetchBytes(tampered.href)).status, 403, 'a SigV2 URL with a changed Expires is refused');

      // delete: single, recursive (batch); then remove the bucket
      await s3cmd.ok('del', s3('copies/naïve copy.txt'));
      const afterDel = (await s3cmd.ok('ls', '--recursive', `s3://${bucket}`)).stdout;
      assert.ok(!afterDel.includes('naïve copy.txt'), afterDel);
      await s3cmd.ok('del', '--recursive', '--force', `s3://${bucket}/`);
      const none = (await s3cmd.ok('ls', '--recursive', `s3://${bucket}`)).stdout;
      assert.equal(none.trim(), '', `bucket should be empty:\n${none}`);
      await s3cmd.ok('rb', `s3://${bucket}`);
      const gone = (await s3cmd.ok('ls')).stdout;
      assert.ok(!gone.includes(`s3://${bucket}`), gone);
      assertServerAlive();
    });
  }

  // ---------------------------------------------------------------- rclone
  it('rclone', { timeout: TOOL_TEST_TIMEOUT_MS }, async (t) => {
    const dir = await toolDir('rclone');
    // Built from nothing, so AWS_CA_BUNDLE (which makes rclone 1.60 fail every call) is never set.
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(dir),
      RCLONE_CONFIG: join(dir, 'rclone.conf'),
      RCLONE_CONFIG_SIGNET_TYPE: 's3',
      RCLONE_CONFIG_SIGNET_PROVIDER: 'Other',
      RCLONE_CONFIG_SIGNET_ENV_AUTH: 'false',
      RCLONE_CONFIG_SIGNET_ACCESS_KEY_ID: ROOT_USER,
      RCLONE_CONFIG_SIGNET_SECRET_ACCESS_KEY: ROOT_PASSWORD,
      RCLONE_CONFIG_SIGNET_REGION: REGION,
      RCLONE_CONFIG_SIGNET_ENDPOINT: endpoint,
      RCLONE_CONFIG_SIGNET_FORCE_PATH_STYLE: 'true',
    };
    await writeFile(join(dir, 'rclone.conf'), '');
    if (!(await requireTool(t, 'rclone', versionCheck('rclone', RCLONE, ['version'], /^rclone v1\./, env)))) return;
    const rclone = tool(RCLONE, env, ['--retries', '1', '--low-level-retries', '2', '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M']);
    const bucket = 'smoke-rclone';
    const remote = (p = '') => `signet:${bucket}${p ? `/${p}` : ''}`;

    const local = join(dir, 'local');
    await mkdir(join(local, 'dir one'), { recursive: true });
    await mkdir(join(local, 'nested', 'deeper'), { recursive: true });
    const big = randomBytes(12 * MIB);
    const files: Record<string, Buffer> = {
      'naïve top.txt': SMALL,
      'dir one/naïve file.txt': SMALL,
      'nested/deeper/x.bin': randomBytes(1000),
      'nested/twelve mib.bin': big,
    };
    for (const [k, v] of Object.entries(files)) await writeFile(join(local, k), v);

    await rclone.ok('mkdir', remote());
    const lsd = (await rclone.ok('lsd', 'signet:')).stdout;
    assert.ok(lsd.includes(bucket), lsd);

    // copy a local folder up (the 12 MiB file goes multipart: cutoff 5M, chunks 5M)
    await rclone.ok('copy', local, remote('tree'));

    // list
    const ls = (await rclone.ok('ls', remote())).stdout;
    for (const k of Object.keys(files)) assert.ok(ls.includes(`tree/${k}`), `rclone ls lacks tree/${k}:\n${ls}`);
    const entries = JSON.parse((await rclone.ok('lsjson', '-R', '--files-only', remote('tree'))).stdout) as { Path: string; Size: number }[];
    assert.deepEqual(
      entries.map((e) => [e.Path, e.Size]).sort(),
      Object.entries(files)
        .map(([k, v]) => [k, v.length])
        .sort(),
    );

    // check: compares sizes and MD5s (rclone keeps the MD5 of multipart uploads in metadata)
    const check = await rclone.ok('check', local, remote('tree'));
    assert.match(check.stderr, /0 differences found/, check.stderr);
    assert.match(check.stderr, new RegExp(`${Object.keys(files).length} matching files`), check.stderr);

    // copy down and compare
    const down = join(dir, 'down');
    await rclone.ok('copy', remote('tree'), down);
    for (const [k, v] of Object.entries(files)) await assertSameFile(join(down, k), v, `rclone download of ${k}`);
    const cat = await run(RCLONE, ['cat', remote('tree/dir one/naïve file.txt')], env);
    assert.equal(cat.code, 0, describeRun(RCLONE, ['cat'], cat));
    assert.equal(cat.stdout, SMALL.toString('utf8'));

    // server-side copy between remote paths
    await rclone.ok('copyto', remote('tree/dir one/naïve file.txt'), remote('copies/naïve copy.txt'));
    await rclone.ok('copyto', remote('tree/nested/twelve mib.bin'), remote('copies/big copy.bin'));
    await rclone.ok('copyto', remote('copies/big copy.bin'), join(dir, 'bigcopy.down'));
    await assertSameFile(join(dir, 'bigcopy.down'), big, 'rclone server-side copy of a multipart object');
    const md5 = (await rclone.ok('md5sum', remote('copies'))).stdout;
    assert.ok(md5.includes(`${createHash('md5').update(SMALL).digest('hex')}  naïve copy.txt`), md5);

    // delete: a single file, then everything, then the bucket
    await rclone.ok('deletefile', remote('copies/naïve copy.txt'));
    const afterDel = (await rclone.ok('ls', remote())).stdout;
    assert.ok(!afterDel.includes('naïve copy.txt'), afterDel);
    await rclone.ok('delete', remote());
    assert.equal((await rclone.ok('ls', remote())).stdout.trim(), '');
    await rclone.ok('rmdir', remote());
    const lsdAfter = (await rclone.ok('lsd', 'signet:')).stdout;
    assert.ok(!lsdAfter.includes(bucket), lsdAfter);
    assertServerAlive();
  });

  // ---------------------------------------------------------------- boto3
  it('boto3 (Debian python3-boto3 under /usr/bin/python3)', { timeout: TOOL_TEST_TIMEOUT_MS }, async (t) => {
    const dir = await toolDir('boto3');
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(dir),
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      PYTHONDONTWRITEBYTECODE: '1',
    };
    const check = versionCheck('python3', PYTHON, ['-I', '-c', 'import boto3, botocore, requests; print("boto3", boto3.__version__, "botocore", botocore.__version__)'], /^boto3 \d/, env);
    if (!(await requireTool(t, 'boto3', check))) return;
    toolVersions.boto3 = toolVersions.python3 ?? '';
    delete toolVersions.python3;
    const r = await run(PYTHON, ['-I', BOTO3_SCRIPT, endpoint, ROOT_USER, ROOT_PASSWORD, 'smoke-boto3', dir], env, { timeoutMs: 5 * 60_000 });
    assert.equal(r.code, 0, `boto3 smoke script failed:\n${describeRun(PYTHON, [BOTO3_SCRIPT], r)}\nserver output:\n${serverOutput.slice(-4000)}`);
    const lastLine = r.stdout.trim().split('\n').pop() ?? '';
    const summary = JSON.parse(lastLine) as Record<string, string>;
    assert.equal(summary.defaultPresignedUrl, 'sigv2', "boto3's default presigned URL is SigV2");
    assert.equal(summary.s3v4PresignedUrl, 'sigv4');
    assert.equal(summary.defaultPresignedPost, 'sigv2', "boto3's default POST form is SigV2");
    assert.equal(summary.s3v4PresignedPost, 'sigv4');
    assert.match(summary.multipartETag ?? '', /-3"$/);
    t.diagnostic(`boto3 summary: ${lastLine}`);
    assertServerAlive();
  });
});
