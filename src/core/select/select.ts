/**
 * @module
 * S3 Select's engine: runs one SQL query over an object's bytes as they are
 * read. The bytes stream through (GZIP inflated on the way), are decoded as
 * UTF-8, split into records (CSV or JSON), filtered and projected; output
 * records are written as UTF-8 into batches of {@link SelectOptions.batchBytes}.
 * Memory is bounded by one input chunk, one record and one batch, whatever
 * the object's size; input is decoded 64 KiB at a time and output never
 * becomes one large string, so what is left behind is young garbage that V8
 * collects at once (large strings would wait for a full collection). A LIMIT
 * that is reached stops reading.
 *
 * The wire (XML request, event-stream response) is the S3 face's business;
 * this module takes a {@link SelectRequest} and yields {@link SelectEvent}s.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fail, isSignetError } from '../errors.ts';
import { CsvReader } from './csv-reader.ts';
import { JsonReader } from './json-reader.ts';
import { compile, descend, toText, truth, type Accumulator, type Compiled, type Row, type SqlValue } from './sql-eval.ts';
import { parseQuery, type PathPart, type Query } from './sql-parser.ts';

/** S3's limit for one record, in and out. */
export const MAX_RECORD_CHARS = 1024 * 1024;

export interface CsvInputFormat {
  readonly kind: 'CSV';
  readonly fileHeaderInfo: 'USE' | 'IGNORE' | 'NONE';
  readonly fieldDelimiter: string;
  readonly recordDelimiter: string;
  readonly quoteCharacter: string;
  readonly quoteEscapeCharacter: string;
  readonly comments: string;
}

export interface JsonInputFormat {
  readonly kind: 'JSON';
  readonly type: 'DOCUMENT' | 'LINES';
}

export interface CsvOutputFormat {
  readonly kind: 'CSV';
  readonly fieldDelimiter: string;
  readonly recordDelimiter: string;
  readonly quoteCharacter: string;
  readonly quoteEscapeCharacter: string;
  readonly quoteFields: 'ASNEEDED' | 'ALWAYS';
}

export interface JsonOutputFormat {
  readonly kind: 'JSON';
  readonly recordDelimiter: string;
}

export interface SelectRequest {
  readonly expression: string;
  readonly input: { readonly compression: 'NONE' | 'GZIP'; readonly format: CsvInputFormat | JsonInputFormat };
  readonly output: CsvOutputFormat | JsonOutputFormat;
}

export const CSV_INPUT_DEFAULTS: CsvInputFormat = {
  kind: 'CSV',
  fileHeaderInfo: 'NONE',
  fieldDelimiter: ',',
  recordDelimiter: '\n',
  quoteCharacter: '"',
  quoteEscapeCharacter: '"',
  comments: '#',
};

export const CSV_OUTPUT_DEFAULTS: CsvOutputFormat = {
  kind: 'CSV',
  fieldDelimiter: ',',
  recordDelimiter: '\n',
  quoteCharacter: '"',
  quoteEscapeCharacter: '"',
  quoteFields: 'ASNEEDED',
};

export interface SelectStats {
  /** Bytes read from the object (compressed when it is). */
  readonly bytesScanned: number;
  /** Bytes after decompression. */
  readonly bytesProcessed: number;
  /** Bytes of the output records. */
  readonly bytesReturned: number;
}

export type SelectEvent =
  | { readonly type: 'records'; readonly payload: Buffer }
  | { readonly type: 'progress'; readonly stats: SelectStats }
  | { readonly type: 'keepalive'; readonly stats: SelectStats }
  | { readonly type: 'stats'; readonly stats: SelectStats };

export interface SelectOptions {
  /** Bytes of output gathered into one Records event (default 1 MiB). */
  readonly batchBytes?: number;
  /** A Records event is also sent when output waited this long (default 1 s). */
  readonly flushMs?: number;
  /** Progress events this often when asked for (default 1 s; 0: never). */
  readonly progressMs?: number;
  /** A keep-alive after this long without any event (default 5 s). */
  readonly keepAliveMs?: number;
  readonly now?: () => number;
}

export interface PreparedSelect {
  readonly request: SelectRequest;
  readonly query: Query;
}

/** Parses the query and checks the formats: every error that needs no byte of the object is raised here. */
export function prepareSelect(request: SelectRequest): PreparedSelect {
  const query = parseQuery(request.expression);
  const input = request.input.format;
  if (input.kind === 'CSV') new CsvReader({ ...input, maxRecordChars: MAX_RECORD_CHARS }); // validates the characters
  const output = request.output;
  if (output.kind === 'CSV') {
    if (output.fieldDelimiter.length !== 1 || output.quoteCharacter.length > 1 || output.quoteEscapeCharacter.length > 1) {
      fail('InvalidRequestParameter', 'The output FieldDelimiter, QuoteCharacter and QuoteEscapeCharacter must be one character.');
    }
  }
  if (output.recordDelimiter.length < 1 || output.recordDelimiter.length > 2) fail('InvalidRequestParameter', 'The output RecordDelimiter must be one or two characters.');
  return { request, query };
}

/** Header names of a CSV, for lookups by name: exact, and case-insensitive (first one wins). */
class Header {
  readonly names: readonly string[];
  readonly #exact = new Map<string, number>();
  readonly #folded = new Map<string, number>();

  constructor(names: readonly string[]) {
    this.names = names;
    names.forEach((n, i) => {
      if (!this.#exact.has(n)) this.#exact.set(n, i);
      const lower = n.toLowerCase();
      if (!this.#folded.has(lower)) this.#folded.set(lower, i);
    });
  }

  indexOf(name: string, quoted: boolean): number | undefined {
    return quoted ? this.#exact.get(name) : (this.#exact.get(name) ?? this.#folded.get(name.toLowerCase()));
  }
}

const POSITIONAL = /^_(\d+)$/;

class CsvRow implements Row {
  fields_: string[] = [];
  readonly #header: Header | null;
  /** Column part → field index (or -1 for none), resolved once per name. */
  readonly #resolved = new Map<string, number>();

  constructor(header: Header | null) {
    this.#header = header;
  }

  column(part: PathPart): SqlValue {
    if (!('name' in part)) return undefined;
    const cacheKey = part.quoted ? `"${part.name}` : part.name;
    let index = this.#resolved.get(cacheKey);
    if (index === undefined) {
      const m = part.quoted ? null : POSITIONAL.exec(part.name);
      index = m ? Number(m[1]) - 1 : (this.#header?.indexOf(part.name, part.quoted) ?? -1);
      this.#resolved.set(cacheKey, index);
    }
    return index < 0 ? undefined : this.fields_[index];
  }

  fields(): [string, SqlValue][] {
    const names = this.#header?.names;
    return this.fields_.map((v, i) => [names?.[i] ?? `_${i + 1}`, v]);
  }
}

class JsonRow implements Row {
  value: SqlValue = null;

  column(part: PathPart): SqlValue {
    if ('name' in part && !part.quoted && Array.isArray(this.value)) {
      const m = POSITIONAL.exec(part.name);
      if (m) return this.value[Number(m[1]) - 1] as SqlValue;
    }
    return descend(this.value, part);
  }

  fields(): [string, SqlValue][] {
    const v = this.value;
    if (Array.isArray(v)) return v.map((x, i) => [`_${i + 1}`, x as SqlValue]);
    if (typeof v === 'object' && v !== null) return Object.entries(v as Record<string, SqlValue>);
    return [['_1', v]];
  }
}

/** Text is decoded this many bytes at a time: strings this small die young. */
const DECODE_BYTES = 64 * 1024;

/** Output records as UTF-8, gathered into buffers of `size` bytes. */
class Batches {
  readonly #size: number;
  #buf: Buffer | null = null;
  #used = 0;
  /** Full batches, to be sent. */
  ready: Buffer[] = [];

  constructor(size: number) {
    this.#size = size;
  }

  get pending(): boolean {
    return this.#used > 0;
  }

  write(line: string): void {
    // Three bytes per UTF-16 unit at most: the exact length is only counted when space runs short.
    let need = line.length * 3;
    if (this.#buf !== null && this.#buf.length - this.#used < need) {
      need = Buffer.byteLength(line, 'utf8');
      if (this.#buf.length - this.#used < need) this.cut();
    }
    this.#buf ??= Buffer.allocUnsafe(Math.max(this.#size, need));
    this.#used += this.#buf.write(line, this.#used, 'utf8');
  }

  /** Moves what was written to `ready`. */
  cut(): void {
    if (this.#used > 0) this.ready.push(this.#buf!.subarray(0, this.#used));
    this.#buf = null;
    this.#used = 0;
  }
}

/** Writes output records in the requested format. */
class OutputWriter {
  readonly #format: CsvOutputFormat | JsonOutputFormat;
  readonly #needsQuote: RegExp | null;
  readonly #quoteAll: RegExp | null;

  constructor(format: CsvOutputFormat | JsonOutputFormat) {
    this.#format = format;
    if (format.kind === 'CSV' && format.quoteCharacter !== '') {
      const special = [format.fieldDelimiter, format.quoteCharacter, format.quoteEscapeCharacter, ...format.recordDelimiter, '\r', '\n'];
      this.#needsQuote = new RegExp(`[${[...new Set(special)].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('')}]`);
      this.#quoteAll = new RegExp(format.quoteCharacter.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'g');
    } else {
      this.#needsQuote = null;
      this.#quoteAll = null;
    }
  }

  record(entries: readonly (readonly [string, SqlValue])[], whole: SqlValue | null): string {
    const f = this.#format;
    if (f.kind === 'JSON') {
      if (whole !== null) return JSON.stringify(whole) + f.recordDelimiter;
      const o: Record<string, unknown> = {};
      for (const [name, v] of entries) if (v !== undefined) o[name] = v;
      return JSON.stringify(o) + f.recordDelimiter;
    }
    return this.csv(entries.map((e) => e[1]));
  }

  /** A CSV line of values (the output format is CSV). */
  csv(values: readonly SqlValue[]): string {
    const f = this.#format as CsvOutputFormat;
    let line = '';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) line += f.fieldDelimiter;
      line += this.#csvField(toText(values[i]));
    }
    return line + f.recordDelimiter;
  }

  #csvField(text: string): string {
    const f = this.#format as CsvOutputFormat;
    if (this.#needsQuote === null) return text;
    if (f.quoteFields === 'ALWAYS' || this.#needsQuote.test(text)) {
      return f.quoteCharacter + text.replace(this.#quoteAll!, f.quoteEscapeCharacter + f.quoteCharacter) + f.quoteCharacter;
    }
    return text;
  }
}

async function* counted(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, count: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    count(chunk.length);
    yield chunk;
  }
}

function gunzip(source: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  return pipeline(Readable.from(source, { objectMode: false }), createGunzip(), () => {}) as unknown as AsyncIterable<Buffer>;
}

/** A failure of the input's own format (gzip, UTF-8) as S3 Select names it. */
function inputError(e: unknown): never {
  if (isSignetError(e)) throw e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('Z_')) fail('InvalidCompressionFormat', 'The object is not valid GZIP data.');
  if (e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
    fail('InvalidTextEncoding', 'Invalid encoding type. Only UTF-8 encoding is supported at this time.');
  }
  throw e;
}

/**
 * Runs the query over `source` (the object's bytes, in order). Yields Records
 * batches, Progress (when `progress`), keep-alives when nothing else was sent
 * for a while, and finally the Stats. Errors are SignetErrors with S3 Select
 * codes; they end the iteration.
 */
export async function* runSelect(prepared: PreparedSelect, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, progress: boolean, options: SelectOptions = {}): AsyncGenerator<SelectEvent> {
  const { request, query } = prepared;
  const now = options.now ?? Date.now;
  const batches = new Batches(options.batchBytes ?? 1024 * 1024);
  const flushMs = options.flushMs ?? 1000;
  const progressMs = progress ? (options.progressMs ?? 1000) : 0;
  const keepAliveMs = options.keepAliveMs ?? 5000;

  let bytesScanned = 0;
  let bytesProcessed = 0;
  let bytesReturned = 0;
  const stats = (): SelectStats => ({ bytesScanned, bytesProcessed, bytesReturned });

  const format = request.input.format;
  const csv = format.kind === 'CSV' ? new CsvReader({ ...format, maxRecordChars: MAX_RECORD_CHARS }) : null;
  const json = format.kind === 'JSON' ? new JsonReader(MAX_RECORD_CHARS) : null;
  let header: Header | null = null;
  let headerPending = format.kind === 'CSV' && format.fileHeaderInfo !== 'NONE';
  let csvRow = new CsvRow(null);
  const jsonRow = new JsonRow();

  const accumulators: Accumulator[] = [];
  const where: Compiled | null = query.where === null ? null : compile(query.where);
  const items = query.select === '*' ? null : query.select.map((item) => ({ name: item.name, value: compile(item.expr, accumulators) }));
  const writer = new OutputWriter(request.output);
  const wholeJson = request.output.kind === 'JSON' && format.kind === 'JSON' && items === null;
  const csvOut = request.output.kind === 'CSV';

  let emitted = 0;
  const limit = query.limit ?? Infinity;
  let lastEvent = now();
  let lastFlush = now();
  let lastProgress = now();

  const emit = (row: Row): void => {
    let line: string;
    if (!csvOut) line = items === null ? writer.record(row.fields(), wholeJson ? (row as JsonRow).value : null) : writer.record(items.map((i) => [i.name, i.value(row)] as const), null);
    else if (items !== null) line = writer.csv(items.map((i) => i.value(row)));
    else line = writer.csv(row === csvRow ? csvRow.fields_ : row.fields().map((e) => e[1]));
    if (line.length > MAX_RECORD_CHARS) fail('OverMaxRecordSize', 'The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.');
    batches.write(line);
    emitted++;
  };

  /** Handles one record; false once LIMIT is reached. */
  const onRecord = (row: Row): boolean => {
    if (where !== null && truth(where(row)) !== true) return true;
    if (query.aggregate) {
      for (const acc of accumulators) acc.add(row);
      return true;
    }
    emit(row);
    return emitted < limit;
  };

  /** The batches ready to go (with the one being filled when `all`). */
  const take = (all: boolean): SelectEvent[] => {
    if (all) batches.cut();
    const out = batches.ready.map((payload): SelectEvent => {
      bytesReturned += payload.length;
      return { type: 'records', payload };
    });
    batches.ready = [];
    if (out.length > 0) lastFlush = lastEvent = now();
    return out;
  };

  const records = (text: string, final: boolean): boolean => {
    if (csv !== null) {
      const batch = final ? [...csv.push(text), ...csv.end()] : csv.push(text);
      for (const fields of batch) {
        if (headerPending) {
          headerPending = false;
          if ((format as CsvInputFormat).fileHeaderInfo === 'USE') {
            header = new Header(fields);
            csvRow = new CsvRow(header);
          }
          continue;
        }
        csvRow.fields_ = fields;
        if (!onRecord(csvRow)) return false;
      }
      return true;
    }
    const values = final ? [...json!.push(text), ...json!.end()] : json!.push(text);
    for (const value of values) {
      const elements = query.fromElements && Array.isArray(value) ? (value as unknown[]) : [value];
      for (const element of elements) {
        jsonRow.value = element as SqlValue;
        if (!onRecord(jsonRow)) return false;
      }
    }
    return true;
  };

  let more = !(query.limit === 0 && !query.aggregate);
  if (more) {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const raw = counted(source, (n) => (bytesScanned += n));
    const bytes = request.input.compression === 'GZIP' ? gunzip(raw) : raw;
    try {
      for await (const chunk of bytes) {
        for (let at = 0; more && at < chunk.length; at += DECODE_BYTES) {
          const piece = chunk.subarray(at, at + DECODE_BYTES);
          bytesProcessed += piece.length;
          more = records(decoder.decode(piece, { stream: true }), false);
          yield* take(false);
        }
        if (!more) break;
        const t = now();
        if (batches.pending && t - lastFlush >= flushMs) {
          yield* take(true);
        } else if (progressMs > 0 && t - lastProgress >= progressMs) {
          lastProgress = lastEvent = t;
          yield { type: 'progress', stats: stats() };
        } else if (t - lastEvent >= keepAliveMs) {
          lastEvent = t;
          yield { type: 'keepalive', stats: stats() };
        }
      }
      if (more) records(decoder.decode(), true);
    } catch (e) {
      inputError(e);
    }
  }
  if (query.aggregate && (query.limit ?? 1) > 0 && items !== null) {
    batches.write(writer.record(items.map((i) => [i.name, i.value(csvRow)] as const), null));
  }
  yield* take(true);
  yield { type: 'stats', stats: stats() };
}
