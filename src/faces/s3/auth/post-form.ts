/**
 * @module
 * What a POST upload form means once verified: who signed it, the object
 * key, the fields to store, the expectations on the file and how to answer.
 */
import type { Body, BodyExpectations } from '../../../core/body.ts';
import { fail } from '../../../core/errors.ts';
import type { Principal } from '../../../core/types.ts';
import { assertChecksumValue, assertContentMd5, checksumAlgorithmOfName, parseChecksumAlgorithm } from './checksums.ts';
import type { SecretLookup } from './credentials.ts';
import { checkPostPolicy, parsePostPolicy } from './post-policy-document.ts';
import type { ContentLengthRange, FormFields } from './post-policy-document.ts';
import { formField, verifyPostSignature } from './post-signature.ts';

/** A verified browser upload, ready to store. */
export interface PostUpload {
  /** Who signed the policy. */
  readonly principal: Principal;
  readonly accessKeyId: string;
  /** The `key` field with every `${filename}` replaced by the file's name. */
  readonly key: string;
  /**
   * Form fields before the file, lower-case names, first value of each
   * (content-type, cache-control, x-amz-meta-*, tagging, acl... for the
   * face to store). Includes the auth fields.
   */
  readonly fields: Readonly<Record<string, string>>;
  /** The file part's filename ('' when none was sent). */
  readonly filename: string;
  /** The file part's own Content-Type; S3 stores the `content-type` field instead. */
  readonly fileContentType: string | null;
  /**
   * The file bytes. The stream errors with EntityTooLarge as soon as it
   * passes the policy's content-length-range max, with EntityTooSmall at its
   * end below the min, and with MalformedPOSTRequest if the rest of the
   * form is broken: store only after 'end'. `length` is null.
   */
  readonly body: Body;
  readonly contentLengthRange: ContentLengthRange | null;
  /** 200, 201 (answer with a PostResponse XML document) or 204 (the default). */
  readonly successActionStatus: 200 | 201 | 204;
  /** Where to redirect (303) after success: success_action_redirect, or the legacy redirect field, if a valid URL. */
  readonly successActionRedirect: string | null;
}

export interface FormContext {
  readonly lookup: SecretLookup;
  readonly now: Date;
  readonly bucket: string;
}

export const NO_KEY = "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.";

function formExpectations(fields: FormFields): BodyExpectations {
  const expect: BodyExpectations = {};
  const md5 = formField(fields, 'content-md5');
  if (md5 !== undefined) {
    assertContentMd5(md5);
    expect.md5 = md5;
  }
  for (const name of fields.keys()) {
    const algorithm = checksumAlgorithmOfName(name);
    const value = algorithm ? formField(fields, name) : undefined;
    if (!algorithm || value === undefined) continue;
    if (expect.checksum) fail('InvalidRequest', 'Expecting a single x-amz-checksum- field. Multiple checksum Types are not allowed.');
    assertChecksumValue(algorithm, value, `${name} field`);
    expect.checksum = { algorithm, value };
  }
  const named = formField(fields, 'x-amz-checksum-algorithm');
  const algorithm = named === undefined ? expect.checksum?.algorithm : parseChecksumAlgorithm(named, 'x-amz-checksum-algorithm');
  if (expect.checksum && algorithm !== expect.checksum.algorithm) fail('InvalidRequest', 'x-amz-checksum-algorithm does not match the checksum field sent.');
  if (algorithm) expect.algorithm = algorithm;
  return expect;
}

function redirectOf(fields: FormFields): string | null {
  const target = formField(fields, 'success_action_redirect') ?? formField(fields, 'redirect');
  if (!target) return null;
  try {
    return new URL(target).toString();
  } catch {
    return null; // S3 ignores a redirect it cannot interpret.
  }
}

function statusOf(fields: FormFields): 200 | 201 | 204 {
  const s = formField(fields, 'success_action_status');
  return s === '200' ? 200 : s === '201' ? 201 : 204;
}

/** A verified form: the upload but its bytes, and what the bytes must match. */
export type VerifiedForm = Omit<PostUpload, 'body'> & { readonly expect: BodyExpectations };

/** Checks key, signature and policy of the fields before the file; throws SignetError when the form is refused. */
export async function verifyForm(fields: FormFields, file: { filename: string; mimeType: string | null }, ctx: FormContext): Promise<VerifiedForm> {
  const key = formField(fields, 'key') ?? fail('InvalidArgument', NO_KEY, { ArgumentName: 'key' });
  const signer = await verifyPostSignature(fields, ctx.lookup);
  const policy = parsePostPolicy(formField(fields, 'policy') ?? '');
  checkPostPolicy(policy, fields, ctx.bucket, ctx.now);
  const finalKey = key.replaceAll('${filename}', file.filename);
  if (finalKey === '') fail('InvalidArgument', 'User key must have a length greater than 0.', { ArgumentName: 'key' });
  return {
    ...signer,
    key: finalKey,
    fields: Object.fromEntries([...fields].map(([n, v]) => [n, v[0] ?? ''])),
    filename: file.filename,
    fileContentType: file.mimeType,
    contentLengthRange: policy.contentLengthRange,
    successActionStatus: statusOf(fields),
    successActionRedirect: redirectOf(fields),
    expect: formExpectations(fields),
  };
}
