/**
 * @module
 * Validation of what callers name in the registry: namespaces, model names,
 * stages, labels, file paths, descriptions, metadata and gates. Every refusal
 * is InvalidArgument with a message naming the field, so each face can show
 * it as its own validation error.
 */
import { fail } from '../errors.ts';
import type { Gate } from './registry-types.ts';

export const MAX_NAME = 256;
export const MAX_STAGE = 64;
export const MAX_LABEL = 128;
export const MAX_PATH_BYTES = 1024;
const MAX_DOCUMENT = 64 * 1024;
export const MAX_DESCRIPTION = 4096;
export const MAX_METADATA_ENTRIES = 50;
export const MAX_METADATA_KEY = 128;
export const MAX_METADATA_VALUE = 1024;
export const MAX_EULA = 2048;
const MAX_CLIENT_TOKEN = 64;

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Unpaired surrogates cannot be stored as UTF-8 (PostgreSQL text). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** One namespace segment: what Git hosts allow in owner, group and repository names. */
const NAMESPACE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const STAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Semver-like tags (`v1.2.3`, `1.0.0-rc.1+build`). */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function invalid(field: string, why: string): never {
  return fail('InvalidArgument', `invalid ${field}: ${why}`);
}

function checkText(field: string, value: unknown, max: number, allowEmpty = false): string {
  if (typeof value !== 'string') invalid(field, 'must be a string');
  if (!allowEmpty && value.length === 0) invalid(field, 'must not be empty');
  if (value.length > max) invalid(field, `must be at most ${max} characters`);
  if (LONE_SURROGATE.test(value)) invalid(field, 'is not valid Unicode');
  return value;
}

function checkNoControl(field: string, value: string): void {
  if (CONTROL.test(value)) invalid(field, 'must not contain control characters');
}

/** `/`-separated segments: none empty, none `..` (nor `.` unless allowed). */
function checkSegments(field: string, value: string): void {
  if (value.startsWith('/') || value.endsWith('/')) invalid(field, 'must not start or end with "/"');
  for (const segment of value.split('/')) {
    if (segment === '') invalid(field, 'must not contain an empty segment ("//")');
    if (segment === '..' || segment === '.') invalid(field, `must not contain a "${segment}" segment`);
  }
}

/** `owner`, `owner/repo`, `group/subgroup/repo`: segments of letters, digits, `.`, `_`, `-`. */
export function validateNamespace(namespace: unknown): string {
  const ns = checkText('namespace', namespace, MAX_NAME);
  checkSegments('namespace', ns);
  for (const segment of ns.split('/')) {
    if (!NAMESPACE_SEGMENT.test(segment)) invalid('namespace', `segment "${segment}" must be letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  return ns;
}

/** Any printable text with `/` segments, e.g. `llama`, `nlp/bert` or DVC's `path/to/dvc.yaml:model`. */
export function validateModelName(name: unknown): string {
  const n = checkText('model name', name, MAX_NAME);
  checkNoControl('model name', n);
  checkSegments('model name', n);
  return n;
}

/** A filter on model names (`nameContains`): any text of a name. */
export function validateNameFragment(text: unknown): string {
  const t = checkText('name filter', text, MAX_NAME, true);
  checkNoControl('name filter', t);
  return t;
}

export function validateStageName(stage: unknown): string {
  const s = checkText('stage', stage, MAX_STAGE);
  if (!STAGE.test(s)) invalid('stage', `"${s}" must be letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return s;
}

export function validateLabel(label: unknown): string {
  const l = checkText('label', label, MAX_LABEL);
  if (!LABEL.test(l)) invalid('label', `"${l}" must be letters, digits, ".", "_", "+" or "-", starting with a letter or digit`);
  return l;
}

/** A file's LocalPath: relative, `/`-separated, no `.`/`..` segment, at most 1024 UTF-8 bytes. */
export function validateFilePath(path: unknown): string {
  const p = checkText('file path', path, MAX_PATH_BYTES);
  if (Buffer.byteLength(p, 'utf8') > MAX_PATH_BYTES) invalid('file path', `"${p.slice(0, 64)}…" is longer than ${MAX_PATH_BYTES} bytes`);
  checkNoControl('file path', p);
  try {
    checkSegments('file path', p);
  } catch {
    invalid('file path', `"${p}" must be relative, "/"-separated, without empty, "." or ".." segments`);
  }
  return p;
}

/** Free text (descriptions, stage status, a source URI): at most `max` characters, possibly empty. */
export function validateDescription(description: unknown, field = 'description', max = MAX_DESCRIPTION): string {
  return checkText(field, description, max, true);
}

/** A JSON document kept with a version: at most 64 KiB of JSON text. */
export function validateDocument(document: unknown): string {
  if (typeof document !== 'string' || Buffer.byteLength(document) > MAX_DOCUMENT) invalid('document', `must be JSON text of at most ${MAX_DOCUMENT} bytes`);
  try {
    JSON.parse(document);
  } catch {
    invalid('document', 'must be JSON text');
  }
  return document;
}

export function validateMetadata(metadata: unknown): Readonly<Record<string, string>> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) invalid('metadata', 'must be an object of strings');
  const entries = Object.entries(metadata as Record<string, unknown>);
  if (entries.length > MAX_METADATA_ENTRIES) invalid('metadata', `must have at most ${MAX_METADATA_ENTRIES} entries`);
  for (const [key, value] of entries) {
    checkText('metadata key', key, MAX_METADATA_KEY);
    checkNoControl('metadata key', key);
    checkText(`metadata value of "${key}"`, value, MAX_METADATA_VALUE, true);
  }
  return metadata as Readonly<Record<string, string>>;
}

/** An idempotency token: 1 to 64 printable ASCII characters (SageMaker's ClientToken allows 36, a UUID). */
export function validateClientToken(token: unknown): string {
  const value = checkText('client token', token, MAX_CLIENT_TOKEN);
  if (!/^[\x21-\x7e]+$/.test(value)) invalid('client token', 'must be printable ASCII without spaces');
  return value;
}

/** A gate names its EULA (a URI or a title) and that EULA's version. */
export function validateGate(gate: unknown): Gate | null {
  if (gate === null) return null;
  if (typeof gate !== 'object') invalid('gate', 'must be an object with "eula" and "version"');
  const given = gate as Partial<Record<keyof Gate, unknown>>;
  const eula = checkText('gate eula', given.eula, MAX_EULA);
  const version = checkText('gate version', given.version, MAX_LABEL);
  checkNoControl('gate eula', eula);
  checkNoControl('gate version', version);
  return { eula, version };
}
