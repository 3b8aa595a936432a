/**
 * S3 Select (`select_object_content` of the FileManager document), driven by
 * minio-js's selectObjectContent and the SDK's SelectObjectContentCommand
 * (which decodes the event stream and checks its CRCs) against a real
 * Signet, on SQLite and PostgreSQL: a movies CSV with its header, WHERE,
 * LIMIT, aggregates, Stats and Progress, JSON and GZIP input, SQL errors with
 * S3 Select's codes (before the stream, as HTTP errors; during it, as an
 * error message), and a large CSV that streams through a Signet child
 * process whose memory does not follow the object's size.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  PutObjectCommand,
  S3Client,
  SelectObjectContentCommand,
  type SelectObjectContentCommandInput,
  type SelectObjectContentEventStream,
  type StatsEvent,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type * as Minio from 'minio';
import { errorCode } from '../support/minio-helpers.ts';
import { ChildSignetHome, type ChildSignet } from '../support/robust-child.ts';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsS3 } from './sdk-helpers.ts';

const B = 'select';
const MIB = 1024 * 1024;

/** The FileManager document's `movies_data/2020.csv`, more or less. */
const MOVIES = [
  'Title,Year,Rating,Genre,Gross',
  'Soul,2020,8.0,Animation,121',
  'Tenet,2020,7.3,Action,363',
  'Nomadland,2020,7.3,Drama,39',
  'Minari,2020,7.4,Drama,15',
  '"Borat Subsequent Moviefilm, or whatever",2020,6.6,Comedy,0',
  'Palm Springs,2020,7.4,Comedy,1',
  'Wolfwalkers,2020,8.0,Animation,0.5',
].join('\n') + '\n';

const CSV_IN = { CompressionType: 'NONE' as const, CSV: { FileHeaderInfo: 'USE' as const } };
const CSV_OUT = { CSV: {} };

/** Runs a select with the SDK; the records' text, the stats and every event kind in order. */
async function sdkSelect(s3: S3Client, input: Partial<SelectObjectContentCommandInput> & { Expression: string }) {
  const out = await s3.send(
    new SelectObjectContentCommand({ Bucket: B, Key: 'movies_data/2020.csv', ExpressionType: 'SQL', InputSerialization: CSV_IN, OutputSerialization: CSV_OUT, ...input }),
  );
  let records = '';
  let stats: StatsEvent['Details'] | undefined;
  const kinds: string[] = [];
  for await (const event of out.Payload as AsyncIterable<SelectObjectContentEventStream>) {
    const kind = Object.keys(event).find((k) => (event as unknown as Record<string, unknown>)[k] !== undefined) ?? '?';
    kinds.push(kind);
    if (event.Records?.Payload) records += Buffer.from(event.Records.Payload).toString('utf8');
    if (event.Stats) stats = event.Stats.Details;
  }
  return { records, stats, kinds };
}

describeEachMeta('S3 Select: SelectObjectContent', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let mc: Minio.Client;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    mc = t.minio();
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'movies_data/2020.csv', Body: MOVIES, ContentType: 'text/csv' }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'movies_data/2020.csv.gz', Body: gzipSync(MOVIES) }));
    await s3.send(
      new PutObjectCommand({
        Bucket: B,
        Key: 'movies_data/2020.jsonl',
        Body: MOVIES.trim()
          .split('\n')
          .slice(1)
          .map((line) => {
            const [title, year, rating, genre] = line.startsWith('"') ? [line.slice(1, line.indexOf('"', 1)), ...line.slice(line.indexOf('"', 1) + 2).split(',')] : line.split(',');
            return JSON.stringify({ title, year: Number(year), rating: Number(rating), genre, cast: [{ name: `lead of ${title}` }] });
          })
          .join('\n'),
      }),
    );
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  it('minio-js selectObjectContent: SELECT * FROM S3Object with the header used, stats and progress', async () => {
    const result = await mc.selectObjectContent(B, 'movies_data/2020.csv', {
      expression: 'select * from S3Object',
      expressionType: 'SQL',
      inputSerialization: { CSV: { FileHeaderInfo: 'USE', RecordDelimiter: '\n', FieldDelimiter: ',' }, CompressionType: 'NONE' },
      outputSerialization: { CSV: { RecordDelimiter: '\n', FieldDelimiter: ',' } },
      requestProgress: { Enabled: true },
    });
    assert.ok(result);
    assert.equal(Buffer.from(result.getRecords() as Buffer).toString(), MOVIES.slice(MOVIES.indexOf('\n') + 1));
    const stats = String(result.getStats());
    assert.match(stats, new RegExp(`<BytesScanned>${Buffer.byteLength(MOVIES)}</BytesScanned>`));
    assert.match(stats, new RegExp(`<BytesProcessed>${Buffer.byteLength(MOVIES)}</BytesProcessed>`));
    assert.match(stats, new RegExp(`<BytesReturned>${Buffer.byteLength(MOVIES) - MOVIES.indexOf('\n') - 1}</BytesReturned>`));
  });

  it('minio-js: columns by header name, WHERE, LIMIT; an aggregate', async () => {
    const select = async (expression: string) => {
      const r = await mc.selectObjectContent(B, 'movies_data/2020.csv', {
        expression,
        inputSerialization: { CSV: { FileHeaderInfo: 'USE' }, CompressionType: 'NONE' },
        outputSerialization: { CSV: {} },
      });
      return Buffer.from((r?.getRecords() as Buffer | undefined) ?? Buffer.alloc(0)).toString();
    };
    assert.equal(await select("SELECT s.Title, s.Rating FROM S3Object s WHERE s.Genre = 'Drama'"), 'Nomadland,7.3\nMinari,7.4\n');
    assert.equal(await select('SELECT s.Title FROM S3Object s WHERE CAST(s.Rating AS FLOAT) >= 7.4 LIMIT 2'), 'Soul\nMinari\n');
    assert.equal(await select("SELECT COUNT(*) FROM S3Object s WHERE s.Genre = 'Comedy'"), '2\n');
  });

  it('minio-js: bad SQL is refused with its code before any record', async () => {
    const code = await errorCode(
      mc.selectObjectContent(B, 'movies_data/2020.csv', { expression: 'SELECT FROM WHERE', inputSerialization: { CSV: {} }, outputSerialization: { CSV: {} } }),
    );
    assert.equal(code, 'ParseUnexpectedToken');
  });

  it('SDK: SELECT with header names, WHERE, LIMIT; Records, Stats, End', async () => {
    const r = await sdkSelect(s3, { Expression: 'SELECT s."Title", s.Year FROM S3Object AS s WHERE s.Rating > 7.3 LIMIT 3' });
    assert.equal(r.records, 'Soul,2020\nMinari,2020\nPalm Springs,2020\n');
    assert.deepEqual(r.kinds, ['Records', 'Stats', 'End']);
    assert.equal(r.stats?.BytesScanned, Buffer.byteLength(MOVIES));
    assert.equal(r.stats?.BytesReturned, Buffer.byteLength(r.records));
  });

  it('SDK: aggregates COUNT, SUM, AVG, MIN, MAX', async () => {
    const r = await sdkSelect(s3, { Expression: "SELECT COUNT(*), SUM(CAST(s.Gross AS FLOAT)), AVG(s.Rating), MIN(s.Rating), MAX(s.Title) FROM S3Object s WHERE s.Genre <> 'Action'" });
    const [count, sum, avg, min, max] = r.records.trim().split(',');
    assert.equal(count, '6');
    assert.equal(Number(sum), 121 + 39 + 15 + 0 + 1 + 0.5);
    assert.ok(Math.abs(Number(avg) - (8.0 + 7.3 + 7.4 + 6.6 + 7.4 + 8.0) / 6) < 1e-9);
    assert.equal(min, '6.6');
    assert.equal(max, 'Wolfwalkers');
  });

  it('SDK: positions with FileHeaderInfo IGNORE, a quoted field on output, JSON output', async () => {
    const ignore = await sdkSelect(s3, {
      Expression: "SELECT s._1, s._4 FROM S3Object s WHERE s._4 = 'Comedy'",
      InputSerialization: { CSV: { FileHeaderInfo: 'IGNORE' } },
    });
    assert.equal(ignore.records, '"Borat Subsequent Moviefilm, or whatever",Comedy\nPalm Springs,Comedy\n');
    const json = await sdkSelect(s3, { Expression: 'SELECT s.Title, CAST(s.Year AS INT) AS year FROM S3Object s LIMIT 2', OutputSerialization: { JSON: { RecordDelimiter: '\n' } } });
    assert.deepEqual(
      json.records
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
      [
        { Title: 'Soul', year: 2020 },
        { Title: 'Tenet', year: 2020 },
      ],
    );
  });

  it('SDK: GZIP and JSON Lines input; Progress events when asked for', async () => {
    const gz = await sdkSelect(s3, {
      Key: 'movies_data/2020.csv.gz',
      Expression: "SELECT s.Title FROM S3Object s WHERE s.Title LIKE 'T%'",
      InputSerialization: { CompressionType: 'GZIP', CSV: { FileHeaderInfo: 'USE' } },
      RequestProgress: { Enabled: true },
    });
    assert.equal(gz.records, 'Tenet\n');
    assert.equal(gz.stats?.BytesProcessed, Buffer.byteLength(MOVIES));
    assert.ok((gz.stats?.BytesScanned ?? 0) < Buffer.byteLength(MOVIES) + 64);
    const json = await sdkSelect(s3, {
      Key: 'movies_data/2020.jsonl',
      Expression: "SELECT s.title, s.cast[0].name AS lead FROM S3Object s WHERE s.genre = 'Drama' AND s.rating > 7.3",
      InputSerialization: { JSON: { Type: 'LINES' } },
      OutputSerialization: { JSON: {} },
    });
    assert.deepEqual(JSON.parse(json.records), { title: 'Minari', lead: 'lead of Minari' });
  });

  it('SDK: errors with S3 Select codes, as HTTP errors before the stream', async () => {
    await rejectsS3(sdkSelect(s3, { Expression: 'SELECT * FROM S3Object WHERE' }), 'ParseExpectedExpression', 400);
    await rejectsS3(sdkSelect(s3, { Expression: 'SELECT s.a FROM S3Object s ORDER BY s.a' }), 'ParseUnsupportedSyntax', 400);
    await rejectsS3(sdkSelect(s3, { Expression: 'SELECT * FROM S3Object', ExpressionType: 'XPATH' as 'SQL' }), 'InvalidExpressionType', 400);
    await rejectsS3(sdkSelect(s3, { Expression: 'SELECT * FROM S3Object', InputSerialization: { CSV: { FileHeaderInfo: 'FIRST' as 'USE' } } }), 'InvalidFileHeaderInfo', 400);
    await rejectsS3(sdkSelect(s3, { Expression: 'SELECT BOGUS(s._1) FROM S3Object s' }), 'UnsupportedFunction', 400);
    await rejectsS3(sdkSelect(s3, { Key: 'missing.csv', Expression: 'SELECT * FROM S3Object' }), 'NoSuchKey', 404);
  });

  it('SDK: ScanRange processes the records that start within it; ranges that tile the object give every record once', async () => {
    const bytes = Buffer.byteLength(MOVIES);
    const body = MOVIES.slice(MOVIES.indexOf('\n') + 1);
    const titles = async (ScanRange: { Start?: number; End?: number }, input: SelectObjectContentCommandInput['InputSerialization'] = CSV_IN, Key = 'movies_data/2020.csv') =>
      (await sdkSelect(s3, { Key, Expression: input === CSV_IN ? 'SELECT s.Title FROM S3Object s' : 'SELECT s.title FROM S3Object s', InputSerialization: input, OutputSerialization: CSV_OUT, ScanRange })).records;
    const every = body.trim().split('\n').map((line) => (line.startsWith('"') ? `"${line.slice(1, line.indexOf('"', 1))}"` : line.split(',')[0]!));
    for (const size of [1, 7, 40, 1000]) {
      let all = '';
      for (let start = 0; start < bytes; start += size) all += await titles({ Start: start, End: start + size - 1 });
      assert.deepEqual(all.trim().split('\n'), every, `ranges of ${size} bytes, header read from the object's start`);
    }
    const third = MOVIES.indexOf('Nomadland');
    assert.deepEqual((await titles({ Start: third })).trim().split('\n'), every.slice(2), 'Start alone: to the end');
    assert.deepEqual((await titles({ Start: third - 1 })).trim().split('\n'), every.slice(2), 'a range starting inside a record skips it');
    assert.deepEqual((await titles({ Start: third, End: third })).trim().split('\n'), ['Nomadland'], 'the last record is read past End');
    const lastTwo = Buffer.byteLength('Palm Springs,2020,7.4,Comedy,1\nWolfwalkers,2020,8.0,Animation,0.5\n');
    assert.deepEqual((await titles({ End: lastTwo })).trim().split('\n'), ['Palm Springs', 'Wolfwalkers'], 'End alone: the last bytes');
    assert.equal(await titles({ Start: bytes + 10 }), '', 'past the end: nothing');

    const jsonl = { CompressionType: 'NONE' as const, JSON: { Type: 'LINES' as const } };
    const firstLine = Buffer.byteLength(JSON.stringify({ title: 'Soul' }).slice(0, 5));
    assert.deepEqual((await titles({ Start: firstLine }, jsonl, 'movies_data/2020.jsonl')).trim().split('\n')[0], 'Tenet', 'JSON Lines');

    await rejectsS3(sdkSelect(s3, { Key: 'movies_data/2020.csv.gz', Expression: 'SELECT * FROM S3Object', InputSerialization: { ...CSV_IN, CompressionType: 'GZIP' }, ScanRange: { Start: 0 } }), 'UnsupportedScanRangeInput', 400);
    await rejectsS3(sdkSelect(s3, { Key: 'movies_data/2020.jsonl', Expression: 'SELECT * FROM S3Object', InputSerialization: { JSON: { Type: 'DOCUMENT' } }, ScanRange: { Start: 0 } }), 'UnsupportedScanRangeInput', 400);
    await rejectsS3(sdkSelect(s3, { Expression: 'SELECT * FROM S3Object', ScanRange: { Start: 50, End: 10 } }), 'InvalidScanRange', 400);
    await rejectsS3(sdkSelect(s3, { Expression: 'SELECT * FROM S3Object', ScanRange: {} }), 'InvalidScanRange', 400);
  });

  it('SDK: an error while streaming ends the stream with its code (CastFailed)', async () => {
    await assert.rejects(sdkSelect(s3, { Expression: 'SELECT CAST(s.Title AS INT) FROM S3Object s' }), (e: unknown) => {
      assert.equal((e as Error).name, 'CastFailed', String(e));
      return true;
    });
  });

  it('anonymous callers are refused (s3:GetObject is needed)', async () => {
    const res = await fetch(`${t.url}/${B}/movies_data/2020.csv?select&select-type=2`, {
      method: 'POST',
      body: '<SelectObjectContentRequest><Expression>SELECT * FROM S3Object</Expression><ExpressionType>SQL</ExpressionType><InputSerialization><CSV/></InputSerialization><OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>',
    });
    assert.equal(res.status, 403);
  });
});

/** A CSV of about `size` bytes (a header and numbered rows), made on demand: the test never holds it. */
function generatedCsv(size: number): { stream: Readable; rows: () => number } {
  let n = 0;
  let sent = 0;
  let header = true;
  const stream = new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      let text = header ? 'id,name,score,city\n' : '';
      header = false;
      while (text.length < MIB && sent + text.length < size) {
        text += `${n},"person ${n}, the ${n % 7}th",${n % 1000},city-${n % 97}\n`;
        n++;
      }
      sent += text.length;
      this.push(Buffer.from(text, 'latin1'));
    },
  });
  return { stream, rows: () => n };
}

/** Samples a process's resident memory every 25 ms, keeping the peak. */
function sampleRss(server: ChildSignet): { stop(): number } {
  let peak = server.rss() ?? 0;
  const timer = setInterval(() => {
    const rss = server.rss();
    if (rss !== null && rss > peak) peak = rss;
  }, 25);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * Signet as a child process, so its memory is its own: SELECT * over an
 * object of 128 MiB returns 128 MiB, and an aggregate reads it all again;
 * the server's resident memory must grow by less than 3/4 of the object
 * (what V8 needs to work at that pace, whatever the object's size: holding
 * the object would take more than all of it). And the answer streams: a
 * client that stops reading holds the server back (Progress shows how far
 * it read).
 */
describeEachMeta('S3 Select: a large CSV streams', (kind) => {
  let home: ChildSignetHome;
  let server: ChildSignet | undefined;
  let s3: S3Client;
  const SIZE = 128 * MIB;
  let rows = 0;

  before(async () => {
    home = await ChildSignetHome.create(kind);
    server = await home.start();
    s3 = new S3Client({ endpoint: home.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ROOT.user, secretAccessKey: ROOT.password } });
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    const csv = generatedCsv(SIZE);
    await new Upload({ client: s3, params: { Bucket: B, Key: 'movies_data/2020.csv', Body: csv.stream }, partSize: 16 * MIB, queueSize: 2 }).done();
    rows = csv.rows();
  });
  after(async () => {
    s3?.destroy();
    await server?.stop();
    await home?.dispose();
  });

  it(`SELECT * and an aggregate over ${SIZE / MIB} MiB: the server's memory does not follow the object's size`, { timeout: 300_000 }, async (tc) => {
    await new Promise((r) => setTimeout(r, 300));
    const idle = server!.rss()!;
    const sampler = sampleRss(server!);
    let peak = idle;
    try {
      const all = await s3.send(
        new SelectObjectContentCommand({ Bucket: B, Key: 'movies_data/2020.csv', ExpressionType: 'SQL', Expression: 'SELECT * FROM S3Object', InputSerialization: CSV_IN, OutputSerialization: CSV_OUT }),
      );
      let returned = 0;
      let events = 0;
      let stats: StatsEvent['Details'] | undefined;
      for await (const event of all.Payload as AsyncIterable<SelectObjectContentEventStream>) {
        if (event.Records?.Payload) {
          returned += event.Records.Payload.length;
          events++;
        }
        if (event.Stats) stats = event.Stats.Details;
      }
      assert.ok(stats!.BytesScanned! >= SIZE - MIB, 'the whole object was read');
      assert.equal(stats?.BytesReturned, returned);
      assert.ok(events > 50, `${events} Records events: the output is streamed in batches`);

      const counted = await sdkSelect(s3, { Expression: "SELECT COUNT(*), MAX(CAST(s.score AS INT)) FROM S3Object s WHERE s.city = 'city-5'" });
      const [count, max] = counted.records.trim().split(',');
      assert.equal(Number(count), Math.floor(rows / 97) + (rows % 97 > 5 ? 1 : 0));
      assert.equal(max, '999');
    } finally {
      peak = sampler.stop();
    }
    const growth = peak - idle;
    tc.diagnostic(`VmRSS idle ${(idle / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB, growth ${(growth / MIB).toFixed(1)} MiB for a ${SIZE / MIB} MiB object read twice`);
    assert.ok(growth < (SIZE * 3) / 4, `the server grew by ${(growth / MIB).toFixed(1)} MiB reading a ${SIZE / MIB} MiB object`);
  });

  it('a client that stops reading holds the scan back (backpressure): Progress shows a small part read', { timeout: 120_000 }, async (tc) => {
    const out = await s3.send(
      new SelectObjectContentCommand({
        Bucket: B,
        Key: 'movies_data/2020.csv',
        ExpressionType: 'SQL',
        Expression: 'SELECT * FROM S3Object',
        InputSerialization: CSV_IN,
        OutputSerialization: CSV_OUT,
        RequestProgress: { Enabled: true },
      }),
    );
    let firstProgress: number | undefined;
    let paused = false;
    for await (const event of out.Payload as AsyncIterable<SelectObjectContentEventStream>) {
      if (event.Records && !paused) {
        paused = true;
        await new Promise((r) => setTimeout(r, 1500));
      }
      if (event.Progress && firstProgress === undefined) firstProgress = event.Progress.Details?.BytesScanned;
    }
    assert.ok(firstProgress !== undefined, 'Progress events were sent');
    tc.diagnostic(`first Progress after a 1.5 s pause: ${(firstProgress / MIB).toFixed(1)} MiB of ${SIZE / MIB} MiB scanned`);
    assert.ok(firstProgress < SIZE / 2, `${(firstProgress / MIB).toFixed(1)} MiB scanned when the paused client was heard from again`);
  });
});
