/**
 * @module
 * SelectObjectContent (`POST /bucket/key?select&select-type=2`): reads the
 * SelectObjectContentRequest XML, checks the query and formats before any
 * byte of the object is read (errors there are ordinary S3 XML errors), then
 * streams the object through `core/select` and answers with the AWS event
 * stream: Records, Progress (when asked for), Stats, End. An error once the
 * answer began ends the stream with an error message, as S3 does.
 */
import { Readable } from 'node:stream';
import { fail, isSignetError } from '../../../core/errors.ts';
import {
  CSV_INPUT_DEFAULTS,
  CSV_OUTPUT_DEFAULTS,
  prepareSelect,
  runSelect,
  type CsvInputFormat,
  type CsvOutputFormat,
  type JsonInputFormat,
  type JsonOutputFormat,
  type SelectRequest,
} from '../../../core/select/select.ts';
import { MAX_EXPRESSION_BYTES } from '../../../core/select/sql-parser.ts';
import { continuationEvent, endEvent, errorMessage, progressEvent, recordsEvent, statsEvent } from '../event-stream.ts';
import { customerKey } from '../object-headers.ts';
import type { S3Operation } from '../router.ts';
import type { S3Handler } from '../s3-context.ts';
import { s3ErrorCode } from '../s3-errors.ts';
import { child, parseXml, text } from '../xml.ts';
import { readXmlBody } from './xml-body.ts';
import { scannedBytes, scanRangeOf } from './select-scan.ts';
import type { ScanRange } from '../../../core/select/scan-range.ts';

type Op = Extract<S3Operation, { name: 'SelectObjectContent' }>;

function missing(name: string): never {
  fail('MissingRequiredParameter', `The SelectRequest entity is missing a required parameter: ${name}.`);
}

function has(node: Record<string, unknown> | undefined, name: string): boolean {
  return node !== undefined && Object.hasOwn(node, name);
}

/** An element's text, or the default when it is absent; S3 takes an empty element as absent for delimiters. */
function option(node: Record<string, unknown> | undefined, name: string, fallback: string, emptyMeansNone = false): string {
  const v = text(node, name);
  if (v === undefined) return fallback;
  if (v === '') return emptyMeansNone ? '' : fallback;
  return v;
}

function upper(node: Record<string, unknown> | undefined, name: string, fallback: string): string {
  return (text(node, name) ?? fallback).trim().toUpperCase() || fallback;
}

function inputFormat(input: Record<string, unknown>): CsvInputFormat | JsonInputFormat {
  const kinds = ['CSV', 'JSON', 'Parquet'].filter((k) => has(input, k));
  if (kinds.length === 0) missing('InputSerialization format (CSV or JSON)');
  if (kinds.length > 1) fail('ObjectSerializationConflict', 'The SelectRequest entity can only contain one of CSV, JSON or Parquet.');
  if (kinds[0] === 'Parquet') fail('NotImplemented', 'Parquet input is not implemented by Signet: CSV and JSON are.');
  if (kinds[0] === 'JSON') {
    const type = upper(child(input, 'JSON'), 'Type', 'DOCUMENT');
    if (type !== 'DOCUMENT' && type !== 'LINES') fail('InvalidJsonType', 'The JsonType is invalid. Only DOCUMENT and LINES are supported.');
    return { kind: 'JSON', type };
  }
  const csv = child(input, 'CSV');
  const header = upper(csv, 'FileHeaderInfo', 'NONE');
  if (header !== 'USE' && header !== 'IGNORE' && header !== 'NONE') fail('InvalidFileHeaderInfo', 'The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.');
  const d = CSV_INPUT_DEFAULTS;
  return {
    kind: 'CSV',
    fileHeaderInfo: header,
    fieldDelimiter: option(csv, 'FieldDelimiter', d.fieldDelimiter),
    recordDelimiter: option(csv, 'RecordDelimiter', d.recordDelimiter),
    quoteCharacter: option(csv, 'QuoteCharacter', d.quoteCharacter, true),
    quoteEscapeCharacter: option(csv, 'QuoteEscapeCharacter', d.quoteEscapeCharacter),
    comments: option(csv, 'Comments', d.comments, true),
  };
}

function outputFormat(output: Record<string, unknown>): CsvOutputFormat | JsonOutputFormat {
  const kinds = ['CSV', 'JSON'].filter((k) => has(output, k));
  if (kinds.length === 0) missing('OutputSerialization format (CSV or JSON)');
  if (kinds.length > 1) fail('ObjectSerializationConflict', 'The SelectRequest entity can only contain one of CSV or JSON.');
  if (kinds[0] === 'JSON') return { kind: 'JSON', recordDelimiter: option(child(output, 'JSON'), 'RecordDelimiter', '\n') };
  const csv = child(output, 'CSV');
  const quoteFields = upper(csv, 'QuoteFields', 'ASNEEDED');
  if (quoteFields !== 'ASNEEDED' && quoteFields !== 'ALWAYS') fail('InvalidQuoteFields', 'The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.');
  const d = CSV_OUTPUT_DEFAULTS;
  return {
    kind: 'CSV',
    fieldDelimiter: option(csv, 'FieldDelimiter', d.fieldDelimiter),
    recordDelimiter: option(csv, 'RecordDelimiter', d.recordDelimiter),
    quoteCharacter: option(csv, 'QuoteCharacter', d.quoteCharacter, true),
    quoteEscapeCharacter: option(csv, 'QuoteEscapeCharacter', d.quoteEscapeCharacter),
    quoteFields,
  };
}

/** The SelectObjectContentRequest document, as the engine's request, whether Progress events are wanted, and the ScanRange. */
export function parseSelectRequest(body: Buffer): { request: SelectRequest; progress: boolean; scanRange: ScanRange | undefined } {
  const doc = parseXml(body);
  const root = child(doc, 'SelectObjectContentRequest') ?? (has(doc, 'SelectObjectContentRequest') ? {} : fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema'));
  const expression = text(root, 'Expression');
  if (expression === undefined || expression.trim() === '') missing('Expression');
  const type = text(root, 'ExpressionType');
  if (type === undefined || type.trim() === '') missing('ExpressionType');
  if (type.trim().toUpperCase() !== 'SQL') fail('InvalidExpressionType', 'The ExpressionType is invalid. Only SQL expressions are supported.');
  if (!has(root, 'InputSerialization')) missing('InputSerialization');
  if (!has(root, 'OutputSerialization')) missing('OutputSerialization');
  const input = child(root, 'InputSerialization') ?? {};
  const compression = upper(input, 'CompressionType', 'NONE');
  if (compression === 'BZIP2') fail('NotImplemented', 'BZIP2 compression is not implemented by Signet: NONE and GZIP are.');
  if (compression !== 'NONE' && compression !== 'GZIP') fail('InvalidCompressionFormat', 'The file is not in a supported compression format. Only GZIP and NONE are supported.');
  const progress = (text(child(root, 'RequestProgress'), 'Enabled') ?? '').trim().toLowerCase() === 'true';
  const request: SelectRequest = { expression, input: { compression, format: inputFormat(input) }, output: outputFormat(child(root, 'OutputSerialization') ?? {}) };
  return { request, progress, scanRange: scanRangeOf(root, request) };
}

export const selectObjectContent: S3Handler<Op> = async (r, op) => {
  const { request, progress, scanRange } = parseSelectRequest(await readXmlBody(r, 2 * MAX_EXPRESSION_BYTES, false));
  const prepared = prepareSelect(request);
  const target = { services: r.services, principal: r.principal, bucket: op.bucket, key: op.key, customerKey: customerKey(r) };
  const result = await r.services.objects.get(r.principal, { bucket: op.bucket, key: op.key, versionId: null, conditions: {}, customerKey: target.customerKey });
  // With a ScanRange only ranged reads happen, so the whole object is never opened.
  const opened = scanRange !== undefined || result.version.size === 0 ? Buffer.alloc(0) : result.open();
  const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = scanRange !== undefined ? scannedBytes(target, result, request, scanRange) : Buffer.isBuffer(opened) ? [opened] : opened;

  async function* frames(): AsyncGenerator<Uint8Array> {
    try {
      for await (const ev of runSelect(prepared, source, progress)) {
        switch (ev.type) {
          case 'records':
            yield* recordsEvent(ev.payload);
            break;
          case 'progress':
            yield progressEvent(ev.stats);
            break;
          case 'keepalive':
            // Clients that asked for Progress read those; Cont is S3's bare keep-alive.
            yield progress ? progressEvent(ev.stats) : continuationEvent();
            break;
          case 'stats':
            yield statsEvent(ev.stats);
            break;
        }
      }
      yield endEvent();
    } catch (e) {
      if (isSignetError(e)) yield errorMessage(s3ErrorCode(e.code), e.message);
      else yield errorMessage('InternalError', 'We encountered an internal error. Please try again.');
    } finally {
      if (!Buffer.isBuffer(opened)) opened.destroy();
    }
  }

  return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Readable.from(frames(), { objectMode: false }) };
};
