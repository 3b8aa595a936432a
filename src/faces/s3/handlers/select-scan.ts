/**
 * @module
 * The bytes a SelectObjectContent with a ScanRange reads: the records that
 * start within the range (`core/select/scan-range.ts`), read with ranged
 * GETs pinned to the object's ETag, so the whole object is never read. A
 * CSV whose first line is a header (FileHeaderInfo USE or IGNORE) gets
 * that line put first when the range starts past it.
 */
import { fail } from '../../../core/errors.ts';
import type { CustomerKey } from '../../../core/sse.ts';
import type { GetResult } from '../../../core/objects.ts';
import { checkScanRange, recordsStartingIn, readOffset, resolveScanRange, type ScanRange } from '../../../core/select/scan-range.ts';
import { MAX_RECORD_CHARS, type SelectRequest } from '../../../core/select/select.ts';
import type { Principal } from '../../../core/types.ts';
import type { S3Services } from '../s3-context.ts';
import { child, text } from '../xml.ts';

type Bytes = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** A UTF-8 record is at most this many bytes. */
const MAX_RECORD_BYTES = 4 * MAX_RECORD_CHARS;

function offset(node: Record<string, unknown> | undefined, name: string): number | undefined {
  const value = text(node, name)?.trim();
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) fail('InvalidScanRange', `The ScanRange ${name} must be a non-negative integer, not "${value}".`);
  return Number(value);
}

/** The ScanRange element of a request, refused where S3 refuses it: compressed input and JSON documents. */
export function scanRangeOf(root: Record<string, unknown>, request: SelectRequest): ScanRange | undefined {
  if (!Object.hasOwn(root, 'ScanRange')) return undefined;
  const node = child(root, 'ScanRange');
  const range = { start: offset(node, 'Start'), end: offset(node, 'End') };
  const { compression, format } = request.input;
  if (compression !== 'NONE' || (format.kind === 'JSON' && format.type !== 'LINES')) {
    fail('UnsupportedScanRangeInput', 'Scan range queries are supported on uncompressed CSV and JSON LINES objects only.');
  }
  return checkScanRange(range);
}

export interface ScanTarget {
  readonly services: S3Services;
  readonly principal: Principal;
  readonly bucket: string;
  readonly key: string;
  readonly customerKey: CustomerKey | undefined;
}

/** Opens `range` (`bytes=a-b`) of the object `whole` describes; PreconditionFailed if it changed since. */
async function readRange(target: ScanTarget, whole: GetResult, range: string): Promise<Bytes> {
  const conditions = { ifMatch: whole.version.etag };
  const part = await target.services.objects.get(target.principal, { bucket: target.bucket, key: target.key, versionId: null, conditions, range, customerKey: target.customerKey });
  const opened = part.open();
  return Buffer.isBuffer(opened) ? [opened] : opened;
}

/** The bytes to run the query over: the header line if one is wanted, then the records starting in the range. */
export async function* scannedBytes(target: ScanTarget, whole: GetResult, request: SelectRequest, range: ScanRange): AsyncGenerator<Uint8Array> {
  const format = request.input.format;
  const delimiter = Buffer.from(format.kind === 'CSV' ? format.recordDelimiter : '\n');
  const size = whole.version.size;
  const span = resolveScanRange(range, size);
  if (span === null) return;
  if (format.kind === 'CSV' && format.fileHeaderInfo !== 'NONE' && span.start > 0) {
    let header = Buffer.alloc(0);
    const first = await readRange(target, whole, `bytes=0-${Math.min(size, MAX_RECORD_BYTES) - 1}`);
    for await (const part of recordsStartingIn(first, 0, 0, 0, delimiter)) header = Buffer.concat([header, part]);
    yield header.subarray(header.length - delimiter.length).equals(delimiter) ? header : Buffer.concat([header, delimiter]);
  }
  const from = readOffset(span.start, delimiter);
  yield* recordsStartingIn(await readRange(target, whole, `bytes=${from}-`), from, span.start, span.end, delimiter);
}
