/**
 * @module
 * PostObject: browser uploads with a signed POST policy form. The policy was
 * verified by the gate (`auth/post-policy.ts`); this stores the file,
 * encrypted as its SSE fields ask (SSE-S3 or SSE-C, the same fields as a
 * PUT's headers), and answers as `success_action_status` /
 * `success_action_redirect` ask.
 */
import { fail } from '../../../core/errors.ts';
import { sseRequest, storedHeadersFrom, userMetadataFrom, type HeaderSource } from '../object-headers.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler } from '../s3-context.ts';
import { el, xmlDocument } from '../xml.ts';
import { writeHeaders } from './object-handlers.ts';
import { parseTagging } from './object-subresources.ts';

type Op = Extract<S3Operation, { name: 'PostObject' }>;

export const postObject: S3Handler<Op> = async (r, op) => {
  const form = r.postForm ?? fail('InvalidRequest', 'not a POST form upload');
  // Form fields stand in for headers: encryption is asked for as on a PUT (the policy must allow the fields).
  const fields: HeaderSource = { header: (name) => form.fields[name] };
  const tagging = form.fields.tagging;
  const version = await r.services.objects.put(r.principal, {
    bucket: op.bucket,
    key: form.key,
    body: form.body,
    headers: storedHeadersFrom((name) => form.fields[name]),
    userMetadata: userMetadataFrom(Object.entries(form.fields)),
    tags: tagging ? parseTagging(Buffer.from(tagging)) : [],
    encryption: sseRequest(fields),
    via: 'Post',
  });
  const location = `/${op.bucket}/${form.key.split('/').map(encodeURIComponent).join('/')}`;
  const answer = { ...writeHeaders(version, fields), location };
  if (form.successActionRedirect) {
    const target = new URL(form.successActionRedirect);
    target.searchParams.set('bucket', op.bucket);
    target.searchParams.set('key', form.key);
    target.searchParams.set('etag', `"${version.etag}"`);
    return emptyResponse(303, { ...answer, location: target.toString() });
  }
  if (form.successActionStatus === 201) {
    return xmlResponse(
      xmlDocument('PostResponse', [el('Location', location), el('Bucket', op.bucket), el('Key', form.key), el('ETag', `"${version.etag}"`)]),
      201,
      answer,
    );
  }
  return emptyResponse(form.successActionStatus, answer);
};
