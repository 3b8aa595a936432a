/**
 * @module
 * An incremental CSV reader for S3 Select: text goes in chunk by chunk (any
 * split, even inside a quoted field or a two-character record delimiter),
 * complete records come out. Nothing but the record being read is held, and
 * a record longer than the limit fails (OverMaxRecordSize) instead of
 * growing without bound.
 *
 * S3's CSV: a field delimiter and a quote character (one character each), a
 * record delimiter of one or two characters (`\n` also ends a record written
 * `\r\n`), a quote escape character (the quote itself by default: `""`),
 * comment lines starting with the comment character, quoted fields that may
 * hold delimiters and line breaks. Blank lines are skipped. Stray quotes in
 * unquoted fields, and text after a closing quote, are kept as text.
 */
import { fail } from '../errors.ts';

export interface CsvReaderOptions {
  readonly fieldDelimiter: string;
  readonly recordDelimiter: string;
  /** '' for no quoting at all. */
  readonly quoteCharacter: string;
  readonly quoteEscapeCharacter: string;
  /** '' for no comments. */
  readonly comments: string;
  /** Characters one record may hold (S3: 1 MB). */
  readonly maxRecordChars: number;
}

const enum State {
  /** At the start of a field. */
  FieldStart,
  /** Inside an unquoted field. */
  Unquoted,
  /** Inside a quoted field. */
  Quoted,
  /** A quote character seen inside a quoted field: closing, or the first half of `""`. */
  QuoteSeen,
  /** The escape character (other than the quote) seen inside a quoted field. */
  Escaped,
  /** Skipping a comment line. */
  Comment,
}

export class CsvReader {
  readonly #fd: number;
  readonly #rd: string;
  readonly #rd0: number;
  readonly #quote: number;
  readonly #escape: number;
  readonly #comment: number;
  readonly #max: number;
  /** `\n` also ends records written `\r\n`. */
  readonly #crlf: boolean;

  #state = State.FieldStart;
  #fields: string[] = [];
  #field = '';
  #quoted = false;
  /** Whether a field of the current record was quoted (`""` alone on a line is a record, a blank line is not). */
  #anyQuoted = false;
  #recordChars = 0;
  /** Text held back from the previous chunk (the first half of a two-character record delimiter). */
  #carry = '';

  constructor(o: CsvReaderOptions) {
    if (o.fieldDelimiter.length !== 1) fail('InvalidRequestParameter', 'FieldDelimiter must be one character.');
    if (o.recordDelimiter.length < 1 || o.recordDelimiter.length > 2) fail('InvalidRequestParameter', 'RecordDelimiter must be one or two characters.');
    if (o.quoteCharacter.length > 1 || o.quoteEscapeCharacter.length > 1 || o.comments.length > 1) {
      fail('InvalidRequestParameter', 'QuoteCharacter, QuoteEscapeCharacter and Comments must be one character.');
    }
    this.#fd = o.fieldDelimiter.charCodeAt(0);
    this.#rd = o.recordDelimiter;
    this.#rd0 = o.recordDelimiter.charCodeAt(0);
    this.#quote = o.quoteCharacter === '' ? -1 : o.quoteCharacter.charCodeAt(0);
    this.#escape = o.quoteEscapeCharacter === '' ? this.#quote : o.quoteEscapeCharacter.charCodeAt(0);
    this.#comment = o.comments === '' ? -1 : o.comments.charCodeAt(0);
    this.#max = o.maxRecordChars;
    this.#crlf = o.recordDelimiter === '\n';
  }

  /** Reads `text`; returns the records it completed. */
  push(text: string): string[][] {
    const out: string[][] = [];
    this.#scan(this.#carry + text, false, out);
    return out;
  }

  /** The end of the input: returns the last record, if any. CSVParsingError for an unterminated quoted field. */
  end(): string[][] {
    const out: string[][] = [];
    this.#scan(this.#carry, true, out);
    if (this.#state === State.Quoted || this.#state === State.Escaped) fail('CSVParsingError', 'Encountered an error parsing the CSV file: a quoted field is not terminated.');
    if (this.#state !== State.Comment && (this.#state !== State.FieldStart || this.#fields.length > 0)) {
      this.#endField();
      this.#endRecord(out);
    }
    this.#state = State.FieldStart;
    return out;
  }

  #scan(s: string, final: boolean, out: string[][]): void {
    const rdLen = this.#rd.length;
    // A two-character delimiter may be cut by the chunk boundary: keep the last character for the next chunk.
    const limit = final || rdLen === 1 ? s.length : Math.max(0, s.length - 1);
    let i = 0;
    let start = 0;
    while (i < limit) {
      const c = s.charCodeAt(i);
      switch (this.#state) {
        case State.FieldStart:
          if (c === this.#comment && this.#fields.length === 0) {
            this.#state = State.Comment;
            i++;
          } else if (c === this.#quote) {
            this.#state = State.Quoted;
            this.#quoted = true;
            this.#anyQuoted = true;
            start = ++i;
          } else if (c === this.#fd) {
            this.#endField();
            i++;
          } else if (c === this.#rd0 && this.#isRd(s, i)) {
            this.#endField();
            this.#endRecord(out);
            i += rdLen;
          } else {
            this.#state = State.Unquoted;
            start = i;
          }
          break;
        case State.Unquoted: {
          // The run of ordinary characters up to the next delimiter, sliced at once.
          let j = i;
          while (j < limit) {
            const d = s.charCodeAt(j);
            if (d === this.#fd || (d === this.#rd0 && this.#isRd(s, j))) break;
            j++;
          }
          this.#field += s.slice(start, j);
          this.#checkSize(j - start);
          i = j;
          if (j < limit) {
            this.#state = State.FieldStart;
            const d = s.charCodeAt(j);
            this.#endField();
            if (d === this.#fd) {
              i++;
            } else {
              this.#endRecord(out);
              i += rdLen;
            }
          }
          start = i;
          break;
        }
        case State.Quoted: {
          let j = i;
          while (j < limit) {
            const d = s.charCodeAt(j);
            if (d === this.#quote || d === this.#escape) break;
            j++;
          }
          this.#field += s.slice(start, j);
          this.#checkSize(j - start);
          i = j;
          if (j < limit) {
            this.#state = s.charCodeAt(j) === this.#quote ? State.QuoteSeen : State.Escaped;
            i++;
          }
          start = i;
          break;
        }
        case State.Escaped:
          this.#field += s[i];
          this.#state = State.Quoted;
          start = ++i;
          break;
        case State.QuoteSeen:
          if (c === this.#quote && this.#escape === this.#quote) {
            this.#field += s[i];
            this.#state = State.Quoted;
            start = ++i;
          } else if (c === this.#fd) {
            this.#endField();
            this.#state = State.FieldStart;
            i++;
          } else if (c === this.#rd0 && this.#isRd(s, i)) {
            this.#endField();
            this.#endRecord(out);
            this.#state = State.FieldStart;
            i += rdLen;
          } else if (c === 13 && this.#crlf) {
            i++; // `"...",\r\n`: the \r belongs to the line break
          } else {
            // Text after a closing quote is kept (lenient, as most readers).
            this.#state = State.Unquoted;
            start = i;
          }
          break;
        case State.Comment: {
          let j = i;
          while (j < limit && !(s.charCodeAt(j) === this.#rd0 && this.#isRd(s, j))) j++;
          i = j;
          if (j < limit) {
            this.#state = State.FieldStart;
            i += rdLen;
          }
          start = i;
          break;
        }
      }
    }
    // What was not read (a delimiter's first character; a delimiter read to its end may have passed the limit).
    this.#carry = s.slice(i);
  }

  #isRd(s: string, i: number): boolean {
    return this.#rd.length === 1 || s.charCodeAt(i + 1) === this.#rd.charCodeAt(1);
  }

  #checkSize(added: number): void {
    this.#recordChars += added;
    if (this.#recordChars > this.#max) fail('OverMaxRecordSize', 'The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.');
  }

  #endField(): void {
    let field = this.#field;
    if (!this.#quoted && this.#crlf && field.endsWith('\r')) field = field.slice(0, -1);
    this.#fields.push(field);
    this.#field = '';
    this.#quoted = false;
  }

  #endRecord(out: string[][]): void {
    const fields = this.#fields;
    const quoted = this.#anyQuoted;
    this.#fields = [];
    this.#recordChars = 0;
    this.#anyQuoted = false;
    // A blank line is no record.
    if (fields.length === 1 && fields[0] === '' && !quoted) return;
    out.push(fields);
  }
}
