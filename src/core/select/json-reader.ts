/**
 * @module
 * An incremental JSON reader for S3 Select: a stream of top-level JSON
 * objects (or arrays), one per line (`LINES`) or simply concatenated
 * (`DOCUMENT`), becomes one record per value. Only the value being read is
 * held; one longer than the limit fails (OverMaxRecordSize).
 */
import { fail } from '../errors.ts';

export class JsonReader {
  readonly #max: number;
  /** Text from the start of the value being read. */
  #buf = '';
  /** How far `#buf` has been scanned. */
  #pos = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(maxRecordChars: number) {
    this.#max = maxRecordChars;
  }

  push(text: string): unknown[] {
    this.#buf += text;
    const out: unknown[] = [];
    const s = this.#buf;
    let begin = 0;
    let i = this.#pos;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === 92 /* \ */) this.#escaped = true;
        else if (c === 34 /* " */) this.#inString = false;
        continue;
      }
      if (this.#depth === 0) {
        if (c === 32 || c === 9 || c === 10 || c === 13 || c === 44 /* , between values */) {
          begin = i + 1;
          continue;
        }
        if (c !== 123 /* { */ && c !== 91 /* [ */) fail('JSONParsingError', 'Encountered an error parsing the JSON file: a top-level value is not an object or array.');
        begin = i;
      }
      if (c === 34) this.#inString = true;
      else if (c === 123 || c === 91) this.#depth++;
      else if (c === 125 || c === 93) {
        this.#depth--;
        if (this.#depth === 0) {
          out.push(parse(s.slice(begin, i + 1)));
          begin = i + 1;
        }
      }
    }
    this.#buf = s.slice(begin);
    this.#pos = this.#buf.length;
    if (this.#buf.length > this.#max) fail('OverMaxRecordSize', 'The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.');
    return out;
  }

  end(): unknown[] {
    if (this.#depth !== 0 || this.#inString || this.#buf.trim() !== '') fail('JSONParsingError', 'Encountered an error parsing the JSON file: the input ends inside a value.');
    return [];
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    fail('JSONParsingError', 'Encountered an error parsing the JSON file. Check the file and try again.');
  }
}
