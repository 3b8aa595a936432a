/**
 * SigV2 against the worked examples of AWS's RESTAuthentication page
 * (AKIAIOSFODNN7EXAMPLE, johnsmith bucket, March 2007), clock injected.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { authenticate } from '../../src/faces/s3/auth/auth-gate.ts';
import { canonicalizedResource } from '../../src/faces/s3/auth/sigv2.ts';
import type { AuthRequest } from '../../src/faces/s3/auth/request-view.ts';
import { AKID, PRINCIPAL, SECRET, lookup, rejectsWith, withHeaders } from './helpers.ts';

const at = (iso: string) => ({ lookup, now: new Date(iso), services: ['s3'] });

const GET_PUPPY: AuthRequest = {
  method: 'GET',
  rawPath: '/photos/puppy.jpg',
  rawQuery: '',
  headers: { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:36:42 +0000', authorization: `AWS ${AKID}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` },
};

describe('SigV2 header (AWS examples)', () => {
  it('GET object on a virtual-hosted bucket', async () => {
    const res = await authenticate(GET_PUPPY, { ...at('2007-03-27T19:40:00Z'), bucketFromHost: 'johnsmith' });
    assert.equal(res.method, 'sigv2-header');
    assert.deepEqual(res.principal, PRINCIPAL);
    assert.deepEqual(res.payload, { kind: 'unsigned' });
    assert.equal(res.region, null);
  });

  it('the same request path-style has the bucket in the path', async () => {
    const pathStyle = { ...GET_PUPPY, rawPath: '/johnsmith/photos/puppy.jpg', headers: { ...GET_PUPPY.headers, host: 's3.amazonaws.com' } };
    await authenticate(pathStyle, at('2007-03-27T19:40:00Z'));
  });

  it('GET ?acl keeps the sub-resource; list parameters are not signed', async () => {
    const acl: AuthRequest = {
      method: 'GET', rawPath: '/', rawQuery: 'acl',
      headers: { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:44:46 +0000', authorization: `AWS ${AKID}:c2WLPFtWHVgbEmeEG93a4cG37dM=` },
    };
    await authenticate(acl, { ...at('2007-03-27T19:45:00Z'), bucketFromHost: 'johnsmith' });
    const list: AuthRequest = {
      method: 'GET', rawPath: '/', rawQuery: 'prefix=photos&max-keys=50&marker=puppy',
      headers: { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:42:41 +0000', authorization: `AWS ${AKID}:htDYFYduRNen8P9ZfE/s9SuKy0U=` },
    };
    await authenticate(list, { ...at('2007-03-27T19:45:00Z'), bucketFromHost: 'johnsmith' });
  });

  it('PUT with Content-MD5, Content-Type, repeated x-amz-meta headers and a CNAME bucket', async () => {
    const put: AuthRequest = {
      method: 'PUT', rawPath: '/db-backup.dat.gz', rawQuery: '',
      headers: {
        host: 'static.johnsmith.net:8080',
        date: 'Tue, 27 Mar 2007 21:06:08 +0000',
        'x-amz-acl': 'public-read',
        'content-type': 'application/x-download',
        'content-md5': '4gJE4saaMU4BqNR0kLY+lw==',
        'x-amz-meta-reviewedby': ['joe@johnsmith.net', 'jane@johnsmith.net'],
        'x-amz-meta-filechecksum': '0x02661779',
        'x-amz-meta-checksumalgorithm': 'crc32',
        'content-disposition': 'attachment; filename=database.dat',
        'content-encoding': 'gzip',
        'content-length': '5913339',
        authorization: `AWS ${AKID}:ilyl83RwaSoYIEdixDQcA4OnAnc=`,
      },
    };
    await authenticate(put, { ...at('2007-03-27T21:06:00Z'), bucketFromHost: 'static.johnsmith.net' });
    await rejectsWith(authenticate(withHeaders(put, { 'x-amz-acl': 'private' }), { ...at('2007-03-27T21:06:00Z'), bucketFromHost: 'static.johnsmith.net' }), 'SignatureDoesNotMatch');
  });

  it('DELETE with x-amz-date: both readings of the AWS rule', async () => {
    const del: AuthRequest = {
      method: 'DELETE', rawPath: '/johnsmith/photos/puppy.jpg', rawQuery: '',
      headers: { host: 's3.amazonaws.com', date: 'Tue, 27 Mar 2007 21:20:27 +0000', 'x-amz-date': 'Tue, 27 Mar 2007 21:20:26 +0000', authorization: `AWS ${AKID}:lx3byBScXR6KzyMaifNkardMwNk=` },
    };
    await authenticate(del, at('2007-03-27T21:21:00Z'));
    // s3cmd's form: empty Date line, x-amz-date among the signed amz headers.
    const toSign = 'DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg';
    const sig = createHmac('sha1', SECRET).update(toSign).digest('base64');
    await authenticate(withHeaders(del, { authorization: `AWS ${AKID}:${sig}` }), at('2007-03-27T21:21:00Z'));
  });

  it('refuses a wrong signature, unknown key, skewed clock and malformed header', async () => {
    const opts = { ...at('2007-03-27T19:40:00Z'), bucketFromHost: 'johnsmith' };
    await rejectsWith(authenticate(withHeaders(GET_PUPPY, { authorization: `AWS ${AKID}:bWq2s1WEIj+Ydj0vQ697zp+IXMV=` }), opts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate({ ...GET_PUPPY, rawPath: '/photos/kitten.jpg' }, opts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate(withHeaders(GET_PUPPY, { authorization: 'AWS NOPE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=' }), opts), 'InvalidAccessKeyId');
    await rejectsWith(authenticate(GET_PUPPY, { ...opts, now: new Date('2007-03-27T20:00:00Z') }), 'RequestTimeTooSkewed');
    await rejectsWith(authenticate(withHeaders(GET_PUPPY, { authorization: `AWS ${AKID}` }), opts), 'InvalidArgument');
    await rejectsWith(authenticate(withHeaders(GET_PUPPY, { date: undefined }), opts), 'AccessDenied', /Date/);
  });

  it('is not offered to services other than s3', async () => {
    await rejectsWith(authenticate(GET_PUPPY, { ...at('2007-03-27T19:40:00Z'), services: ['admin'] }), 'InvalidRequest');
  });
});

describe('SigV2 query string (AWS example)', () => {
  const url: AuthRequest = {
    method: 'GET',
    rawPath: '/photos/puppy.jpg',
    rawQuery: `AWSAccessKeyId=${AKID}&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620`,
    headers: { host: 'johnsmith.s3.amazonaws.com' },
  };
  const opts = (iso: string) => ({ ...at(iso), bucketFromHost: 'johnsmith' });

  it('accepts the documented URL until it expires', async () => {
    const res = await authenticate(url, opts('2007-03-28T12:00:00Z'));
    assert.equal(res.method, 'sigv2-query');
    await authenticate(url, opts('2007-03-29T03:40:20Z'));
    await rejectsWith(authenticate(url, opts('2007-03-29T03:40:21Z')), 'AccessDenied', /expired/);
  });

  it('refuses Expires more than 7 days ahead', async () => {
    await rejectsWith(authenticate(url, opts('2007-03-20T00:00:00Z')), 'AccessDenied');
  });

  it('signs response-* overrides with decoded values', async () => {
    const rawQuery = `response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&AWSAccessKeyId=${AKID}&Expires=1175139620`;
    const toSign = 'GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg?response-content-disposition=attachment; filename="a b.txt"';
    const sig = encodeURIComponent(createHmac('sha1', SECRET).update(toSign).digest('base64'));
    await authenticate({ ...url, rawQuery: `${rawQuery}&Signature=${sig}` }, opts('2007-03-28T12:00:00Z'));
    await rejectsWith(authenticate({ ...url, rawQuery: `${rawQuery.replace('a%20b', 'c%20d')}&Signature=${sig}` }, opts('2007-03-28T12:00:00Z')), 'SignatureDoesNotMatch');
  });

  it('orders sub-resources by name', () => {
    const req = { ...url, rawQuery: 'versionId=3&acl&uploadId=u&partNumber=2&foo=bar' };
    assert.equal(canonicalizedResource(req, 'b'), '/b/photos/puppy.jpg?acl&partNumber=2&uploadId=u&versionId=3');
  });
});
