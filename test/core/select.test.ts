/**
 * S3 Select's core: the incremental CSV and JSON readers (any chunking gives
 * the same records), the SQL subset (parse errors carry S3 Select's codes)
 * and the engine (projection, WHERE, LIMIT, aggregates, output formats,
 * stats, GZIP, streaming in bounded batches).
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/core/errors.ts';
import { CsvReader, type CsvReaderOptions } from '../../src/core/select/csv-reader.ts';
import { JsonReader } from '../../src/core/select/json-reader.ts';
import {
  CSV_INPUT_DEFAULTS,
  CSV_OUTPUT_DEFAULTS,
  prepareSelect,
  runSelect,
  type CsvInputFormat,
  type SelectEvent,
  type SelectRequest,
} from '../../src/core/select/select.ts';
import { parseQuery } from '../../src/core/select/sql-parser.ts';

const CSV: CsvReaderOptions = { ...CSV_INPUT_DEFAULTS, maxRecordChars: 1024 * 1024 };

/** Reads `text` through a reader fed in pieces of `size` characters. */
function readCsv(text: string, size: number, options: Partial<CsvReaderOptions> = {}): string[][] {
  const reader = new CsvReader({ ...CSV, ...options });
  const out: string[][] = [];
  for (let i = 0; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)));
  out.push(...reader.end());
  return out;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isSignetError(e)) return e.code;
    throw e;
  }
  assert.fail('expected an error');
}

describe('select: CSV reader', () => {
  const cases: [string, string, string[][], Partial<CsvReaderOptions>?][] = [
    ['plain', 'a,b,c\n1,2,3\n', [['a', 'b', 'c'], ['1', '2', '3']]],
    ['no final line break', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['CRLF', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['empty fields', ',a,,\n', [['', 'a', '', '']]],
    ['blank lines skipped', 'a\n\n\nb\n', [['a'], ['b']]],
    ['quoted delimiters and line breaks', '"a,b","c\nd",e\n', [['a,b', 'c\nd', 'e']]],
    ['doubled quotes', '"say ""hi""",x\n', [['say "hi"', 'x']]],
    ['quoted empty field is a record', '""\n', [['']]],
    ['quoted field before CRLF', '"a","b"\r\nc\r\n', [['a', 'b'], ['c']]],
    ['comment lines', '# header note\na,b\n#x,y\n', [['a', 'b']]],
    ['no comments', '#a,b\n', [['#a', 'b']], { comments: '' }],
    ['tab and custom record delimiter', 'a\tb|c\td|', [['a', 'b'], ['c', 'd']], { fieldDelimiter: '\t', recordDelimiter: '|' }],
    ['two-character record delimiter', 'a,b;;c,d;;', [['a', 'b'], ['c', 'd']], { recordDelimiter: ';;' }],
    ['escape character other than the quote', "'it\\'s',x\n", [["it's", 'x']], { quoteCharacter: "'", quoteEscapeCharacter: '\\' }],
    ['unicode', 'é,日本\n', [['é', '日本']]],
  ];
  for (const [name, text, expected, options] of cases) {
    it(`${name}: the same records whatever the chunking`, () => {
      for (const size of [1, 2, 3, 7, 1000]) assert.deepEqual(readCsv(text, size, options), expected, `chunks of ${size}`);
    });
  }

  it('an unterminated quoted field is CSVParsingError; a huge record is OverMaxRecordSize', () => {
    assert.equal(code(() => readCsv('a,"b\n', 2)), 'CSVParsingError');
    assert.equal(code(() => readCsv(`"${'x'.repeat(5000)}`, 100, { maxRecordChars: 1000 })), 'OverMaxRecordSize');
    assert.equal(code(() => readCsv('x'.repeat(5000), 100, { maxRecordChars: 1000 })), 'OverMaxRecordSize');
  });

  it('delimiters of the wrong length are InvalidRequestParameter', () => {
    assert.equal(code(() => new CsvReader({ ...CSV, fieldDelimiter: ',,' })), 'InvalidRequestParameter');
    assert.equal(code(() => new CsvReader({ ...CSV, recordDelimiter: '' })), 'InvalidRequestParameter');
  });
});

describe('select: JSON reader', () => {
  it('lines and concatenated documents, strings with braces, any chunking', () => {
    const text = '{"a":1,"s":"}{\\""}\n{"a":2}{"a":3}\n  [1,2]\n';
    for (const size of [1, 5, 1000]) {
      const reader = new JsonReader(1024);
      const out: unknown[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)));
      out.push(...reader.end());
      assert.deepEqual(out, [{ a: 1, s: '}{"' }, { a: 2 }, { a: 3 }, [1, 2]]);
    }
  });

  it('bad JSON is JSONParsingError', () => {
    assert.equal(code(() => new JsonReader(1024).push('{"a":}\n')), 'JSONParsingError');
    assert.equal(code(() => new JsonReader(1024).push('42\n')), 'JSONParsingError');
    const r = new JsonReader(1024);
    r.push('{"a":');
    assert.equal(code(() => r.end()), 'JSONParsingError');
  });
});

describe('select: SQL parser', () => {
  it('accepts the subset', () => {
    for (const sql of [
      'SELECT * FROM S3Object',
      'select * from s3object s where s._1 = \'x\' limit 5',
      'SELECT s._1, s._2 FROM S3Object s',
      'SELECT s."Title", s.year AS y FROM S3Object AS s WHERE CAST(s.year AS INT) >= 2000 AND NOT (s.title LIKE \'%Star%\') OR s.rating IS NULL',
      'SELECT COUNT(*), SUM(CAST(s._3 AS FLOAT)), AVG(s._3), MIN(s._3), MAX(s._3) FROM S3Object s',
      'SELECT s.* FROM S3Object s WHERE s.a BETWEEN 1 AND 5 AND s.b IN (\'x\', \'y\') AND s.c IS NOT MISSING;',
      'SELECT UPPER(s.name) || \'!\', CHAR_LENGTH(s.name) FROM S3Object[*] s WHERE s.tags[0] = \'a\'',
    ]) {
      parseQuery(sql);
    }
  });

  it('refuses what it does not know with S3 Select codes', () => {
    const cases: [string, string][] = [
      ['', 'MissingRequiredParameter'],
      ['abc hahaha', 'ParseUnexpectedToken'],
      ['SELECT abc', 'ParseSelectMissingFrom'],
      ['SELECT * FROM S3Object WHERE', 'ParseExpectedExpression'],
      ['SELECT * FROM S3Object WHERE a = #', 'LexerInvalidChar'],
      ["SELECT * FROM S3Object WHERE a = 'open", 'LexerInvalidChar'],
      ['SELECT CAST(a AS BLOB) FROM S3Object', 'ParseExpectedTypeName'],
      ['SELECT *, a FROM S3Object', 'ParseAsteriskIsNotAloneInSelectList'],
      ['SELECT SUM(*) FROM S3Object', 'ParseUnsupportedCallWithStar'],
      ['SELECT FOO(a) FROM S3Object', 'UnsupportedFunction'],
      ['SELECT a, COUNT(*) FROM S3Object', 'UnsupportedSqlOperation'],
      ['SELECT a FROM S3Object WHERE COUNT(*) > 1', 'UnsupportedSqlOperation'],
      ['SELECT a FROM S3Object GROUP BY a', 'ParseUnsupportedSyntax'],
      ['SELECT a FROM other', 'ParseUnsupportedSyntax'],
      ['SELECT s._0 FROM S3Object s', 'InvalidColumnIndex'],
      ['SELECT * FROM S3Object LIMIT x', 'ParseUnexpectedToken'],
      [`SELECT '${'x'.repeat(300 * 1024)}' FROM S3Object`, 'ExpressionTooLong'],
    ];
    for (const [sql, expected] of cases) assert.equal(code(() => parseQuery(sql)), expected, sql.slice(0, 60));
  });
});

const MOVIES = [
  'Title,Year,Rating,Genre',
  'The Matrix,1999,8.7,Action',
  'Spirited Away,2001,8.6,Animation',
  '"Crouching Tiger, Hidden Dragon",2000,7.9,Action',
  'Parasite,2019,8.5,Thriller',
  'Tenet,2020,7.3,Action',
  'Soul,2020,8.0,Animation',
].join('\n') + '\n';

function request(expression: string, input: Partial<CsvInputFormat> = {}, output: SelectRequest['output'] = CSV_OUTPUT_DEFAULTS): SelectRequest {
  return { expression, input: { compression: 'NONE', format: { ...CSV_INPUT_DEFAULTS, fileHeaderInfo: 'USE', ...input } }, output };
}

async function run(req: SelectRequest, data: string | Buffer, chunk = 7, options = {}): Promise<{ out: string; events: SelectEvent[] }> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const events: SelectEvent[] = [];
  for await (const ev of runSelect(prepareSelect(req), chunks, false, options)) events.push(ev);
  const out = events
    .filter((e): e is Extract<SelectEvent, { type: 'records' }> => e.type === 'records')
    .map((e) => e.payload.toString())
    .join('');
  return { out, events };
}

describe('select: engine', () => {
  it('SELECT * with a header keeps every data row, not the header', async () => {
    const { out } = await run(request('SELECT * FROM S3Object'), MOVIES);
    assert.equal(out, MOVIES.split('\n').slice(1).join('\n'));
  });

  it('columns by name (any case, quoted exact) and by position; WHERE with CAST; LIMIT', async () => {
    const { out } = await run(request('SELECT s.title, s."Year", s._3 FROM S3Object s WHERE CAST(s.Year AS INT) >= 2001 LIMIT 3'), MOVIES);
    assert.equal(out, 'Spirited Away,2001,8.6\nParasite,2019,8.5\nTenet,2020,7.3\n');
  });

  it('a field holding the delimiter is quoted on output', async () => {
    const { out } = await run(request("SELECT s.Title FROM S3Object s WHERE s.Year = '2000'"), MOVIES);
    assert.equal(out, '"Crouching Tiger, Hidden Dragon"\n');
  });

  it('comparisons with numbers read numeric fields; LIKE, IN, BETWEEN, OR, NOT', async () => {
    const q = (where: string) => run(request(`SELECT s.Title FROM S3Object s WHERE ${where}`), MOVIES).then((r) => r.out.trim().split('\n').filter(Boolean));
    assert.deepEqual(await q('s.Rating > 8.5'), ['The Matrix', 'Spirited Away']);
    assert.deepEqual(await q("s.Title LIKE '%an%'"), []);
    assert.deepEqual(await q("LOWER(s.Title) LIKE '%an%'"), []);
    assert.deepEqual(await q("s.Title LIKE 'T%'"), ['The Matrix', 'Tenet']);
    assert.deepEqual(await q("s.Genre IN ('Thriller', 'Animation') AND NOT s.Year = 2020"), ['Spirited Away', 'Parasite']);
    assert.deepEqual(await q('s.Year BETWEEN 2000 AND 2001 OR s.Year <> s.Year'), ['Spirited Away', '"Crouching Tiger, Hidden Dragon"']);
    assert.deepEqual(await q('s.Missing IS NULL AND s.Title IS NOT NULL LIMIT 1'), ['The Matrix']);
  });

  it('aggregates: one row', async () => {
    const { out } = await run(request("SELECT COUNT(*), SUM(CAST(s.Year AS INT)), MIN(s.Rating), MAX(s.Rating), AVG(s.Rating) FROM S3Object s WHERE s.Genre = 'Action'"), MOVIES);
    const [count, sum, min, max, avg] = out.trim().split(',');
    assert.equal(count, '3');
    assert.equal(sum, String(1999 + 2000 + 2020));
    assert.equal(min, '7.3');
    assert.equal(max, '8.7');
    assert.ok(Math.abs(Number(avg) - (8.7 + 7.9 + 7.3) / 3) < 1e-9);
    assert.equal((await run(request("SELECT COUNT(*) FROM S3Object s WHERE s.Genre = 'None'"), MOVIES)).out, '0\n');
  });

  it('FileHeaderInfo NONE and IGNORE; JSON output names the columns', async () => {
    assert.equal((await run(request('SELECT s._1 FROM S3Object s LIMIT 2', { fileHeaderInfo: 'NONE' }), MOVIES)).out, 'Title\nThe Matrix\n');
    assert.equal((await run(request('SELECT s._1 FROM S3Object s LIMIT 1', { fileHeaderInfo: 'IGNORE' }), MOVIES)).out, 'The Matrix\n');
    const json = await run(request('SELECT s.Title, s._2 AS y, CAST(s.Rating AS FLOAT) FROM S3Object s LIMIT 1', {}, { kind: 'JSON', recordDelimiter: '\n' }), MOVIES);
    assert.deepEqual(JSON.parse(json.out), { Title: 'The Matrix', y: '1999', _3: 8.7 });
    const star = await run(request('SELECT * FROM S3Object LIMIT 1', {}, { kind: 'JSON', recordDelimiter: '\n' }), MOVIES);
    assert.deepEqual(JSON.parse(star.out), { Title: 'The Matrix', Year: '1999', Rating: '8.7', Genre: 'Action' });
  });

  it('CSV output options: ALWAYS quoting, other delimiters', async () => {
    const output = { ...CSV_OUTPUT_DEFAULTS, quoteFields: 'ALWAYS' as const, fieldDelimiter: ';', recordDelimiter: '\r\n' };
    assert.equal((await run(request('SELECT s._1, s._2 FROM S3Object s LIMIT 1', {}, output), MOVIES)).out, '"The Matrix";"1999"\r\n');
  });

  it('JSON input: LINES and DOCUMENT, nested paths, S3Object[*]', async () => {
    const lines = '{"name":"a","n":1,"tags":["x"]}\n{"name":"b","n":5,"tags":["y"],"meta":{"k":"v"}}\n';
    const req = (expression: string, output: SelectRequest['output'] = { kind: 'JSON', recordDelimiter: '\n' }): SelectRequest => ({
      expression,
      input: { compression: 'NONE', format: { kind: 'JSON', type: 'LINES' } },
      output,
    });
    assert.equal((await run(req('SELECT s.name FROM S3Object s WHERE s.n > 2'), lines)).out, '{"name":"b"}\n');
    assert.equal((await run(req("SELECT s.meta.k FROM S3Object s WHERE s.tags[0] = 'y'"), lines)).out, '{"k":"v"}\n');
    assert.equal((await run(req('SELECT * FROM S3Object s LIMIT 1'), lines)).out, '{"name":"a","n":1,"tags":["x"]}\n');
    assert.equal((await run(req('SELECT s.name, s.n FROM S3Object s', CSV_OUTPUT_DEFAULTS), lines)).out, 'a,1\nb,5\n');
    assert.equal((await run(req('SELECT s.name FROM S3Object[*] s'), '[{"name":"p"},{"name":"q"}]')).out, '{"name":"p"}\n{"name":"q"}\n');
  });

  it('CAST of a value that does not convert fails the query', async () => {
    await assert.rejects(run(request('SELECT CAST(s.Title AS INT) FROM S3Object s'), MOVIES), (e: unknown) => isSignetError(e) && e.code === 'CastFailed');
  });

  it('GZIP input; stats count compressed and processed bytes', async () => {
    const gz = gzipSync(MOVIES);
    const req: SelectRequest = { ...request('SELECT s.Title FROM S3Object s LIMIT 1'), input: { compression: 'GZIP', format: { ...CSV_INPUT_DEFAULTS, fileHeaderInfo: 'USE' } } };
    const { out, events } = await run({ ...req, expression: 'SELECT COUNT(*) FROM S3Object' }, gz, 5);
    assert.equal(out, '6\n');
    const stats = events.at(-1);
    assert.equal(stats?.type, 'stats');
    if (stats?.type === 'stats') {
      assert.equal(stats.stats.bytesScanned, gz.length);
      assert.equal(stats.stats.bytesProcessed, Buffer.byteLength(MOVIES));
      assert.equal(stats.stats.bytesReturned, 2);
    }
    await assert.rejects(run(req, Buffer.from('not gzip at all')), (e: unknown) => isSignetError(e) && e.code === 'InvalidCompressionFormat');
  });

  it('invalid UTF-8 is InvalidTextEncoding', async () => {
    await assert.rejects(run(request('SELECT * FROM S3Object'), Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a])), (e: unknown) => isSignetError(e) && e.code === 'InvalidTextEncoding');
  });

  it('output comes in bounded batches; LIMIT stops reading the input', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${i},row-${i}`).join('\n');
    const { out, events } = await run(request('SELECT * FROM S3Object', { fileHeaderInfo: 'NONE' }), rows, 1000, { batchBytes: 1000 });
    assert.equal(out, `${rows}\n`);
    const batches = events.filter((e) => e.type === 'records');
    assert.ok(batches.length > 10, `${batches.length} batches`);
    for (const b of batches) if (b.type === 'records') assert.ok(b.payload.length <= 1000, `${b.payload.length}`);

    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.from(`${i},x\n`);
      }
    }
    const got: SelectEvent[] = [];
    for await (const ev of runSelect(prepareSelect(request('SELECT s._1 FROM S3Object s LIMIT 3', { fileHeaderInfo: 'NONE' })), source(), false)) got.push(ev);
    assert.ok(pulled <= 4, `read ${pulled} chunks for LIMIT 3`);
  });
});
