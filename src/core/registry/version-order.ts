/**
 * @module
 * Version strings in the order people mean: `1.0.10` after `1.0.9`, `2` after
 * `1.9`. {@link versionSortKey} maps a version to a string whose byte order is
 * that order, so the store can index and compare it like any other key.
 */

/** Digit runs up to this length are zero-padded to it. */
const WIDTH = 10;
const DIGITS = /\d+/g;

/**
 * Each run of digits is compared as a number: leading zeros are dropped and
 * it is padded to 10 digits; anything else is kept as is. A longer run is
 * written `:` + its length (2 digits) + the digits: `:` sorts after every
 * digit, and the length orders long numbers among themselves.
 * Versions that differ only in leading zeros (`1.01`, `1.1`) get the same key;
 * callers break such ties on the version string itself.
 */
export function versionSortKey(version: string): string {
  return version.replace(DIGITS, (run) => {
    const digits = run.replace(/^0+(?=\d)/, '');
    if (digits.length <= WIDTH) return digits.padStart(WIDTH, '0');
    return `:${String(Math.min(digits.length, 99)).padStart(2, '0')}${digits}`;
  });
}

/** Compares two versions as the store orders them: by sort key, then the version itself (UTF-8 byte order). */
export function compareVersions(a: string, b: string): number {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  return Buffer.compare(bytes(versionSortKey(a)), bytes(versionSortKey(b))) || Buffer.compare(bytes(a), bytes(b));
}
