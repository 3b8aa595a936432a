/**
 * @module
 * Browser POST uploads (S3 POST Object,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html):
 * a streaming multipart/form-data parse that collects the (bounded) fields
 * before the `file` part, verifies the form's signature and policy, and
 * hands over the file as a stream, never buffered. Fields after the file
 * are ignored, as S3 does.
 */
import { Readable, Transform } from 'node:stream';
import busboy from 'busboy';
import type { Busboy, FieldInfo, FileInfo } from 'busboy';
import { SignetError } from '../../../core/errors.ts';
import type { SecretLookup } from './credentials.ts';
import { NO_KEY, verifyForm } from './post-form.ts';
import type { FormContext, PostUpload, VerifiedForm } from './post-form.ts';
import type { ContentLengthRange } from './post-policy-document.ts';

export type { PostUpload } from './post-form.ts';
export type { ContentLengthRange } from './post-policy-document.ts';

/** Fields before the file, names and values together. */
export const MAX_FORM_FIELDS_BYTES = 20 * 1024;

/** Passes bytes through while enforcing content-length-range. */
function sizeGuard(range: ContentLengthRange | null): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (range && size > range.max) {
        cb(new SignetError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: range.max }));
      } else cb(null, chunk);
    },
    flush(cb) {
      if (range && size < range.min) {
        cb(new SignetError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { MinSizeAllowed: range.min, ProposedSize: size }));
      } else cb();
    },
  });
}

const LIMITS = { fieldNameSize: 1024, fieldSize: MAX_FORM_FIELDS_BYTES, fields: 1000, parts: 1100, files: 64 };
const MALFORMED = 'The body of your POST request is not well-formed multipart/form-data.';
const tooLarge = (): SignetError =>
  new SignetError('MaxPostPreDataLengthExceeded', `Your POST request fields preceding the upload file were too large (over ${MAX_FORM_FIELDS_BYTES} bytes).`);

/** One form being read: fields until the file part, then the file, handed over once verified. */
class FormReader {
  readonly #req: Readable;
  readonly #bb: Busboy;
  readonly #ctx: FormContext;
  readonly #resolve: (u: PostUpload) => void;
  readonly #reject: (e: unknown) => void;
  readonly #fields = new Map<string, string[]>();
  #fieldBytes = 0;
  #fileSeen = false;
  #settled = false;
  #out: Transform | null = null;
  #fileEnded = false;
  #formEnded = false;

  constructor(req: Readable, bb: Busboy, ctx: FormContext, resolve: (u: PostUpload) => void, reject: (e: unknown) => void) {
    this.#req = req;
    this.#bb = bb;
    this.#ctx = ctx;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    const bb = this.#bb;
    bb.on('field', (name: string, value: string, info: FieldInfo) => this.#onField(name, value, info));
    bb.on('file', (name: string, stream: Readable, info: FileInfo) => this.#onFile(name, stream, info));
    bb.on('fieldsLimit', () => this.#fail(tooLarge()));
    bb.on('partsLimit', () => this.#fail(tooLarge()));
    bb.on('error', (e: unknown) => this.#fail(new SignetError('MalformedPOSTRequest', `${MALFORMED} (${String((e as Error)?.message ?? e)})`)));
    bb.on('close', () => this.#onFormEnd());
    this.#req.on('error', () => this.#fail(new SignetError('IncompleteBody', 'The POST request body was cut short.')));
    this.#req.pipe(bb);
  }

  #onField(name: string, value: string, info: FieldInfo): void {
    if (this.#fileSeen) return; // S3 ignores fields after the file.
    this.#fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (info.nameTruncated || info.valueTruncated || this.#fieldBytes > MAX_FORM_FIELDS_BYTES) return this.#fail(tooLarge());
    const lower = name.toLowerCase();
    // A plain text field named "file" (curl -F file=text) is the content itself.
    if (lower === 'file') return this.#takeFile(Readable.from([Buffer.from(value)], { objectMode: false }), '', null);
    const list = this.#fields.get(lower);
    if (list) list.push(value);
    else this.#fields.set(lower, [value]);
  }

  #onFile(name: string, stream: Readable, info: FileInfo): void {
    if (this.#fileSeen || name.toLowerCase() !== 'file') {
      stream.on('error', () => {}).resume(); // Other file parts are discarded.
      return;
    }
    this.#takeFile(stream, info.filename ?? '', info.mimeType || null);
  }

  #takeFile(file: Readable, filename: string, mimeType: string | null): void {
    this.#fileSeen = true;
    file.on('error', (e: unknown) => this.#fail(e instanceof SignetError ? e : new SignetError('MalformedPOSTRequest', MALFORMED)));
    file.on('end', () => {
      this.#fileEnded = true;
      this.#maybeEnd();
    });
    verifyForm(this.#fields, { filename, mimeType }, this.#ctx).then(
      (u) => this.#deliver(file, u),
      (e: unknown) => this.#fail(e),
    );
  }

  #deliver(file: Readable, verified: VerifiedForm): void {
    if (this.#settled) return;
    this.#settled = true;
    const { expect, ...upload } = verified;
    const out = sizeGuard(upload.contentLengthRange);
    // The size guard can fail before the consumer starts reading (it awaits the
    // metadata store first); the consumer still sees the error when it reads, but
    // without a listener now the error would be thrown as an uncaught exception.
    out.on('error', () => {});
    this.#out = out;
    file.pipe(out, { end: false });
    this.#maybeEnd();
    this.#resolve({ ...upload, body: { stream: out, length: null, expect } });
  }

  #onFormEnd(): void {
    this.#formEnded = true;
    if (!this.#settled && !this.#fileSeen) {
      this.#fail(
        this.#fields.has('key')
          ? new SignetError('InvalidArgument', 'POST requires exactly one file upload per request.', { ArgumentName: 'file' })
          : new SignetError('InvalidArgument', NO_KEY, { ArgumentName: 'key' }),
      );
    }
    this.#maybeEnd();
  }

  /** The file ends for the consumer only once the whole form parsed cleanly. */
  #maybeEnd(): void {
    if (this.#fileEnded && this.#formEnded && this.#out && !this.#out.destroyed) this.#out.end();
  }

  #fail(err: unknown): void {
    if (this.#settled) {
      if (this.#out && !this.#out.destroyed) this.#out.destroy(err as Error);
      return;
    }
    this.#settled = true;
    this.#req.unpipe(this.#bb);
    this.#bb.destroy();
    this.#reject(err);
  }
}

/**
 * Parses and verifies a POST upload. Resolves when the file part starts
 * (everything before it checked); rejects with a SignetError otherwise. On
 * rejection the request is unpiped, not drained: the caller answers and
 * then drains or closes the connection.
 */
export function parsePostUpload(req: Readable, contentType: string, lookup: SecretLookup, now: Date, bucket: string): Promise<PostUpload> {
  return new Promise((resolve, reject) => {
    let bb: Busboy;
    try {
      bb = busboy({ headers: { 'content-type': contentType }, limits: LIMITS, defParamCharset: 'utf8' });
    } catch {
      reject(new SignetError('MalformedPOSTRequest', MALFORMED));
      return;
    }
    new FormReader(req, bb, { lookup, now, bucket }, resolve, reject).start();
  });
}
