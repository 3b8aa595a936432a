/**
 * @module
 * Reference servers for the bench, each run as a child process: about the
 * least an S3-shaped store must do, with no auth and no metadata, so Signet's
 * figures have something honest to be compared with.
 *
 * - plain: PUT streams the body to a file (temp file + rename, so a reader
 *   never sees half an object), GET streams the file back in 1 MiB reads.
 * - hashing: the same plus MD5 (the ETag) and SHA-256 of every PUT body, and
 *   the SHA-256 checked against x-amz-content-sha256 when that is a digest.
 *
 * Multipart takes S3's URL shapes (parts are files; complete concatenates
 * them) and ListObjectsV2 answers from a sorted in-memory index, so one
 * client drives baselines and Signet alike. Auth headers are ignored.
 * `--fsync` makes every write durable (file fsync + folder fsync) for
 * comparisons with a server that does the same.
 *
 * Usage: node --import tsx bench/baseline-server.ts --mode plain|hashing --listen 127.0.0.1:PORT --data DIR [--fsync]
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

interface Entry {
  readonly size: number;
  readonly etag: string;
  readonly modified: number;
}

interface Bucket {
  readonly name: string;
  readonly dir: string;
  readonly index: Map<string, Entry>;
  /** Sorted keys, rebuilt on the first listing after a new key. */
  sorted: string[] | null;
}

interface Upload {
  readonly bucket: Bucket;
  readonly key: string;
  readonly dir: string;
  readonly parts: Map<number, { readonly path: string; readonly md5: Buffer | null }>;
}

interface Written {
  readonly size: number;
  readonly md5: Buffer | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'plain' },
    listen: { type: 'string', default: '127.0.0.1:9100' },
    data: { type: 'string' },
    fsync: { type: 'boolean', default: false },
  },
});
if (args.mode !== 'plain' && args.mode !== 'hashing') throw new Error(`--mode must be plain or hashing, not ${args.mode}`);
if (!args.data) throw new Error('--data DIR is required');
const HASHING = args.mode === 'hashing';
const FSYNC = args.fsync;
const ROOT = args.data;
const UPLOADS = join(ROOT, '.uploads');
const buckets = new Map<string, Bucket>();
const uploads = new Map<string, Upload>();
let tmpCounter = 0;
const READ_CHUNK = 1024 * 1024;

/** One file per key; the prefix keeps "." and ".." harmless, long keys fall back to a hash. */
function fileFor(bucket: Bucket, key: string): string {
  const name = `o${encodeURIComponent(key)}`;
  return join(bucket.dir, name.length <= 240 ? name : `h${createHash('sha256').update(key).digest('hex')}`);
}

function tmpFile(dir: string): string {
  return join(dir, `.tmp-${process.pid}-${tmpCounter++}`);
}

/** Streams the request body to `path`, hashing it in hashing mode. */
async function receive(req: IncomingMessage, path: string): Promise<Written> {
  const out = createWriteStream(path);
  if (!HASHING) {
    await pipeline(req, out);
    if (FSYNC) await syncFile(path);
    return { size: out.bytesWritten, md5: null };
  }
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  await pipeline(req, hashEach([md5, sha]), out);
  const claimed = req.headers['x-amz-content-sha256'];
  if (typeof claimed === 'string' && /^[0-9a-f]{64}$/.test(claimed) && claimed !== sha.digest('hex')) {
    await unlink(path);
    throw new HttpError(400, 'XAmzContentSHA256Mismatch');
  }
  if (FSYNC) await syncFile(path);
  return { size: out.bytesWritten, md5: md5.digest() };
}

function hashEach(hashes: Hash[]) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      for (const h of hashes) h.update(chunk);
      yield chunk;
    }
  };
}

async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Renames into place; with --fsync also makes the rename durable. */
async function publish(tmp: string, path: string, dir: string): Promise<void> {
  await rename(tmp, path);
  if (FSYNC) await syncFile(dir);
}

/** Receives into a temp file and renames it over `path`; cleans up on failure. */
async function receiveInto(req: IncomingMessage, dir: string, path: string): Promise<Written> {
  const tmp = tmpFile(dir);
  try {
    const written = await receive(req, tmp);
    await publish(tmp, path, dir);
    return written;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

function bucketOf(name: string): Bucket {
  const bucket = buckets.get(name);
  if (!bucket) throw new HttpError(404, 'NoSuchBucket');
  return bucket;
}

function remember(bucket: Bucket, key: string, entry: Entry): void {
  if (!bucket.index.has(key)) bucket.sorted = null;
  bucket.index.set(key, entry);
}

async function createBucket(name: string, res: ServerResponse): Promise<void> {
  if (!buckets.has(name)) {
    const dir = join(ROOT, `b${encodeURIComponent(name)}`);
    await mkdir(dir, { recursive: true });
    buckets.set(name, { name, dir, index: new Map(), sorted: null });
  }
  res.writeHead(200, { location: `/${name}`, 'content-length': 0 }).end();
}

async function putObject(bucket: Bucket, key: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { size, md5 } = await receiveInto(req, bucket.dir, fileFor(bucket, key));
  const etag = md5 ? md5.toString('hex') : `${size.toString(16)}-${tmpCounter.toString(16)}`;
  remember(bucket, key, { size, etag, modified: Date.now() });
  res.writeHead(200, { etag: `"${etag}"`, 'content-length': 0 }).end();
}

async function getObject(bucket: Bucket, key: string, res: ServerResponse, head: boolean): Promise<void> {
  const entry = bucket.index.get(key);
  if (!entry) throw new HttpError(404, 'NoSuchKey');
  res.writeHead(200, {
    'content-length': entry.size,
    etag: `"${entry.etag}"`,
    'last-modified': new Date(entry.modified).toUTCString(),
    'content-type': 'application/octet-stream',
  });
  if (head || entry.size === 0) return void res.end();
  // The size is known, so no read past the end; 1 MiB reads halve the per-MiB cost of 64 KiB ones.
  const highWaterMark = Math.min(entry.size, READ_CHUNK);
  await pipeline(createReadStream(fileFor(bucket, key), { start: 0, end: entry.size - 1, highWaterMark }), res);
}

async function deleteObject(bucket: Bucket, key: string, res: ServerResponse): Promise<void> {
  if (bucket.index.delete(key)) {
    bucket.sorted = null;
    await rm(fileFor(bucket, key), { force: true });
  }
  res.writeHead(204).end();
}

async function createUpload(bucket: Bucket, key: string, res: ServerResponse): Promise<void> {
  const id = randomBytes(12).toString('hex');
  const dir = join(UPLOADS, id);
  await mkdir(dir, { recursive: true });
  uploads.set(id, { bucket, key, dir, parts: new Map() });
  sendXml(
    res,
    200,
    `<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(bucket.name)}</Bucket>` +
      `<Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
  );
}

function uploadOf(id: string | null, bucket: Bucket, key: string): Upload {
  const upload = id === null ? undefined : uploads.get(id);
  if (!upload || upload.bucket !== bucket || upload.key !== key) throw new HttpError(404, 'NoSuchUpload');
  return upload;
}

async function uploadPart(upload: Upload, partNumber: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) throw new HttpError(400, 'InvalidArgument');
  const path = join(upload.dir, String(partNumber));
  const { size, md5 } = await receiveInto(req, upload.dir, path);
  upload.parts.set(partNumber, { path, md5 });
  res.writeHead(200, { etag: `"${md5 ? md5.toString('hex') : `p${partNumber}-${size}`}"`, 'content-length': 0 }).end();
}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Appends the named parts, in order, into one temp file; the object's size. */
async function concatenate(upload: Upload, numbers: number[], tmp: string): Promise<number> {
  const out = createWriteStream(tmp);
  for (const n of numbers) await pipeline(createReadStream(upload.parts.get(n)?.path ?? ''), out, { end: false });
  out.end();
  await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
  if (FSYNC) await syncFile(tmp);
  return out.bytesWritten;
}

async function completeUpload(id: string, upload: Upload, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const listed = [...(await readSmallBody(req)).matchAll(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/g)].map((m) => Number(m[1]));
  const numbers = listed.length > 0 ? listed : [...upload.parts.keys()].sort((a, b) => a - b);
  if (numbers.some((n) => !upload.parts.has(n))) throw new HttpError(400, 'InvalidPart');
  const { bucket, key } = upload;
  const tmp = tmpFile(bucket.dir);
  const size = await concatenate(upload, numbers, tmp);
  await publish(tmp, fileFor(bucket, key), bucket.dir);
  uploads.delete(id);
  await rm(upload.dir, { recursive: true, force: true });
  const md5s = numbers.map((n) => upload.parts.get(n)?.md5 ?? Buffer.alloc(0));
  const etag = `${HASHING ? createHash('md5').update(Buffer.concat(md5s)).digest('hex') : 'mpu'}-${numbers.length}`;
  remember(bucket, key, { size, etag, modified: Date.now() });
  sendXml(
    res,
    200,
    `<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>/${xmlEscape(bucket.name)}/${xmlEscape(key)}</Location>` +
      `<Bucket>${xmlEscape(bucket.name)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`,
  );
}

async function abortUpload(id: string, upload: Upload, res: ServerResponse): Promise<void> {
  uploads.delete(id);
  await rm(upload.dir, { recursive: true, force: true });
  res.writeHead(204).end();
}

/** First index whose key is > `key` (or >= when `inclusive`). */
function bound(keys: string[], key: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as string;
    if (k < key || (!inclusive && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** ListObjectsV2 without delimiter support. Keys sort by UTF-16 units, which is S3's byte order for ASCII keys. */
function listObjects(bucket: Bucket, params: URLSearchParams, res: ServerResponse): void {
  const keys = (bucket.sorted ??= [...bucket.index.keys()].sort());
  const prefix = params.get('prefix') ?? '';
  const maxKeys = Math.min(Math.max(Number(params.get('max-keys') ?? 1000) || 0, 0), 1000);
  const token = params.get('continuation-token');
  const after = token !== null ? Buffer.from(token, 'base64url').toString('utf8') : (params.get('start-after') ?? '');
  let i = Math.max(bound(keys, prefix, true), after ? bound(keys, after, false) : 0);
  const parts: string[] = [];
  let last = '';
  for (; parts.length < maxKeys && i < keys.length && (keys[i] as string).startsWith(prefix); i++) {
    last = keys[i] as string;
    const e = bucket.index.get(last) as Entry;
    parts.push(
      `<Contents><Key>${xmlEscape(last)}</Key><LastModified>${new Date(e.modified).toISOString()}</LastModified>` +
        `<ETag>"${e.etag}"</ETag><Size>${e.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    );
  }
  const truncated = i < keys.length && (keys[i] as string).startsWith(prefix) && parts.length > 0;
  const next = truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '';
  const echoed = token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '';
  sendXml(
    res,
    200,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket.name)}</Name>` +
      `<Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${parts.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
      `<IsTruncated>${truncated}</IsTruncated>${echoed}${next}${parts.join('')}</ListBucketResult>`,
  );
}

function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = decodeURIComponent(q < 0 ? url : url.slice(0, q));
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const method = req.method ?? 'GET';
  if (path === '/health') return void res.writeHead(200, { 'content-length': 2 }).end('ok');
  const slash = path.indexOf('/', 1);
  const bucketName = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const key = slash < 0 ? '' : path.slice(slash + 1);
  if (!bucketName) throw new HttpError(405, 'MethodNotAllowed');
  if (!key) {
    if (method === 'PUT') return createBucket(bucketName, res);
    if (method === 'GET') return listObjects(bucketOf(bucketName), params, res);
    if (method === 'HEAD') {
      bucketOf(bucketName);
      return void res.writeHead(200).end();
    }
    throw new HttpError(405, 'MethodNotAllowed');
  }
  return routeObject(method, bucketOf(bucketName), key, params, req, res);
}

function routeObject(method: string, bucket: Bucket, key: string, params: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = params.get('uploadId');
  if (method === 'POST' && params.has('uploads')) return createUpload(bucket, key, res);
  if (id !== null) {
    const upload = uploadOf(id, bucket, key);
    if (method === 'PUT') return uploadPart(upload, Number(params.get('partNumber')), req, res);
    if (method === 'POST') return completeUpload(id, upload, req, res);
    if (method === 'DELETE') return abortUpload(id, upload, res);
  }
  if (method === 'PUT') return putObject(bucket, key, req, res);
  if (method === 'GET' || method === 'HEAD') return getObject(bucket, key, res, method === 'HEAD');
  if (method === 'DELETE') return deleteObject(bucket, key, res);
  throw new HttpError(405, 'MethodNotAllowed');
}

function fail(err: unknown, req: IncomingMessage, res: ServerResponse): void {
  const status = err instanceof HttpError ? err.status : 500;
  const code = err instanceof HttpError ? err.code : 'InternalError';
  if (status === 500) console.error(`${req.method} ${req.url}:`, err);
  if (res.headersSent) return void res.destroy();
  // Drop what is left of the body so the connection stays usable.
  req.resume();
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  try {
    const done = route(req, res);
    if (done) done.catch((err: unknown) => fail(err, req, res));
  } catch (err) {
    fail(err, req, res);
  }
}

async function main(): Promise<void> {
  await mkdir(UPLOADS, { recursive: true });
  const [host, port] = [args.listen.slice(0, args.listen.lastIndexOf(':')), Number(args.listen.slice(args.listen.lastIndexOf(':') + 1))];
  const server = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, handle);
  server.listen(port, host, () => console.log(`baseline-${args.mode} listening on ${args.listen}, data ${ROOT}${FSYNC ? ', fsync' : ''}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
}

await main();
