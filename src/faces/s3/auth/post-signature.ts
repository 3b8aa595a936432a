/**
 * @module
 * Who signed a POST form: the policy (base64 text, exactly as sent) is
 * signed with SigV4 (x-amz-algorithm, x-amz-credential, x-amz-date,
 * x-amz-signature = hex HMAC with the signing key,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html)
 * or SigV2 (AWSAccessKeyId, signature = base64 HMAC-SHA1 with the secret).
 */
import { createHmac } from 'node:crypto';
import { fail } from '../../../core/errors.ts';
import type { Principal } from '../../../core/types.ts';
import { parseAmzDate } from './clock.ts';
import { requireSecret } from './credentials.ts';
import type { SecretLookup } from './credentials.ts';
import type { FormFields } from './post-policy-document.ts';
import { SIGV4_ALGORITHM, hmacSha256, signaturesEqual, signingKey } from './sigv4-crypto.ts';
import { SIGNATURE_MISMATCH, parseCredential } from './sigv4.ts';

export interface PostSigner {
  readonly principal: Principal;
  readonly accessKeyId: string;
}

/** The one value of a form field; several values of an auth field are malformed. */
export function formField(fields: FormFields, name: string): string | undefined {
  const values = fields.get(name);
  if (values && values.length > 1) fail('MalformedPOSTRequest', `The form field ${name} is given more than once.`);
  return values?.[0];
}

function required(fields: FormFields, name: string): string {
  const v = formField(fields, name);
  if (v === undefined || v === '') fail('InvalidArgument', `Bucket POST must contain a field named '${name}'.`, { ArgumentName: name });
  return v;
}

async function verifyV4(fields: FormFields, policy: string, lookup: SecretLookup): Promise<PostSigner> {
  if (required(fields, 'x-amz-algorithm') !== SIGV4_ALGORITHM) {
    fail('InvalidArgument', 'x-amz-algorithm only supports "AWS4-HMAC-SHA256".', { ArgumentName: 'x-amz-algorithm' });
  }
  const cred = parseCredential(required(fields, 'x-amz-credential'), ['s3'], (m) =>
    fail('InvalidArgument', `Error parsing the x-amz-credential field; ${m}`, { ArgumentName: 'x-amz-credential' }),
  );
  if (!parseAmzDate(required(fields, 'x-amz-date'))) {
    fail('InvalidArgument', `x-amz-date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`, { ArgumentName: 'x-amz-date' });
  }
  const signature = required(fields, 'x-amz-signature');
  const secret = await requireSecret(lookup, cred.accessKeyId);
  const key = signingKey(secret.secretKey, cred.date, cred.region, cred.service);
  if (!signaturesEqual(hmacSha256(key, policy).toString('hex'), signature)) fail('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return { principal: secret.principal, accessKeyId: cred.accessKeyId };
}

async function verifyV2(fields: FormFields, policy: string, lookup: SecretLookup): Promise<PostSigner> {
  const accessKeyId = required(fields, 'awsaccesskeyid');
  const signature = required(fields, 'signature');
  const secret = await requireSecret(lookup, accessKeyId);
  const expected = createHmac('sha1', secret.secretKey).update(policy, 'utf8').digest('base64');
  if (!signaturesEqual(expected, signature)) fail('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return { principal: secret.principal, accessKeyId };
}

/** Verifies the form's signature over its `policy` field. Unsigned forms are anonymous and refused. */
export async function verifyPostSignature(fields: FormFields, lookup: SecretLookup): Promise<PostSigner> {
  const v4 = fields.has('x-amz-signature') || fields.has('x-amz-algorithm') || fields.has('x-amz-credential');
  const v2 = fields.has('signature') || fields.has('awsaccesskeyid');
  if (v4 && v2) fail('InvalidArgument', 'Only one auth mechanism allowed: a SigV4 (x-amz-signature) or a SigV2 (signature) form, not both.');
  if (!v4 && !v2) fail('AccessDenied', 'Anonymous access is not allowed.');
  if (fields.has('x-amz-security-token')) {
    fail('AccessDenied', 'Temporary security credentials (x-amz-security-token) are not supported by this server.');
  }
  const policy = required(fields, 'policy');
  return v4 ? verifyV4(fields, policy, lookup) : verifyV2(fields, policy, lookup);
}
