/**
 * Acceptance: minio-js 8 against a real Signet, on each metadata engine, for
 * the FileManager document's versioning and object-lock calls:
 * get/setBucketVersioning, get/setObjectLockConfig, get/putObjectRetention,
 * get/setObjectLegalHold, listObjects with IncludeVersion, removeObjects of
 * listed versions, statObject/getObject/getPartialObject with a versionId,
 * and presignedUrl('DELETE') of a version.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type * as Minio from 'minio';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { assertSameBytes, collect, errorCode, readAll } from '../support/minio-helpers.ts';
import { pattern } from './sdk-helpers.ts';

type VersionItem = { name?: string; prefix?: string; versionId?: string | null; isLatest?: boolean; isDeleteMarker?: boolean };

describeEachMeta('minio-js: versioning and object lock', (kind) => {
  let t: TestSignet;
  let mc: Minio.Client;

  before(async () => {
    t = await startTestSignet(kind);
    mc = t.minio();
  });
  after(async () => {
    await t?.close();
  });

  // minio-js 8 declares these two with a `void` overload first: typed here as the promises they return.
  type LockOpts = Omit<Minio.ObjectLockInfo, 'objectLockEnabled'>;
  const getLockConfig = (bucket: string) => mc.getObjectLockConfig(bucket) as unknown as Promise<Minio.ObjectLockInfo>;
  const setLockConfig = (bucket: string, opts: Partial<LockOpts>) => mc.setObjectLockConfig(bucket, opts as LockOpts) as unknown as Promise<void>;

  const versions = async (bucket: string, prefix = '', recursive = true): Promise<VersionItem[]> =>
    collect(mc.listObjects(bucket, prefix, recursive, { IncludeVersion: true }) as unknown as Minio.BucketStream<VersionItem>);

  it('setBucketVersioning / getBucketVersioning', async () => {
    await mc.makeBucket('mv-status');
    await mc.setBucketVersioning('mv-status', { Status: 'Enabled' });
    assert.deepEqual(await mc.getBucketVersioning('mv-status'), { Status: 'Enabled' });
    await mc.setBucketVersioning('mv-status', { Status: 'Suspended' });
    assert.deepEqual(await mc.getBucketVersioning('mv-status'), { Status: 'Suspended' });
  });

  it('versions: putObject ids, statObject / getObject / getPartialObject by versionId, listObjects with IncludeVersion', async () => {
    const B = 'mv-objects';
    await mc.makeBucket(B);
    await mc.setBucketVersioning(B, { Status: 'Enabled' });
    const bodies = [pattern(100_000, 3), Buffer.from('second'), pattern(70_000, 4)];
    const ids: string[] = [];
    for (const body of bodies) {
      const put = await mc.putObject(B, 'dir/model.bin', body);
      assert.ok(put.versionId, 'putObject reports the version id');
      ids.push(put.versionId);
    }
    await mc.putObject(B, 'top.txt', 'top');
    for (const [i, versionId] of ids.entries()) {
      const stat = await mc.statObject(B, 'dir/model.bin', { versionId });
      assert.equal(stat.versionId, versionId);
      assert.equal(stat.size, bodies[i]!.length);
      assertSameBytes(await readAll(await mc.getObject(B, 'dir/model.bin', { versionId })), bodies[i]!, `version ${i}`);
    }
    const slice = await readAll(await mc.getPartialObject(B, 'dir/model.bin', 10, 20, { versionId: ids[0]! }));
    assert.ok(slice.equals(bodies[0]!.subarray(10, 30)), 'offset and length within an old version');

    await mc.removeObject(B, 'dir/model.bin');
    const listed = await versions(B);
    const model = listed.filter((v) => v.name === 'dir/model.bin');
    assert.equal(model.length, 4);
    const marker = model.find((v) => v.isDeleteMarker);
    assert.ok(marker?.versionId && marker.isLatest === true, 'the delete marker is the latest');
    assert.deepEqual(
      model.filter((v) => !v.isDeleteMarker).map((v) => [v.versionId, v.isLatest]),
      ids.toReversed().map((id) => [id, false]),
    );
    assert.equal(await errorCode(mc.statObject(B, 'dir/model.bin')), 'NotFound');
    assertSameBytes(await readAll(await mc.getObject(B, 'dir/model.bin', { versionId: ids[1]! })), bodies[1]!);

    const shallow = await versions(B, '', false);
    assert.deepEqual(shallow.flatMap((v) => (v.prefix ? [v.prefix] : [])), ['dir/']);
    assert.deepEqual(shallow.flatMap((v) => (v.name ? [v.name] : [])), ['top.txt']);
  });

  it('removeObjects of listed versions, and presignedUrl DELETE of one version', async () => {
    const B = 'mv-remove';
    await mc.makeBucket(B);
    await mc.setBucketVersioning(B, { Status: 'Enabled' });
    for (let i = 0; i < 3; i++) await mc.putObject(B, 'a.txt', `a${i}`);
    await mc.putObject(B, 'b.txt', 'b');
    await mc.removeObject(B, 'b.txt');
    const listed = await versions(B);
    assert.equal(listed.length, 5);
    const [keep, ...drop] = listed.filter((v) => v.name === 'a.txt');
    const errors = await mc.removeObjects(B, [...drop, ...listed.filter((v) => v.name === 'b.txt')].map((v) => ({ name: v.name!, versionId: v.versionId! })));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      (await versions(B)).map((v) => v.versionId),
      [keep!.versionId],
    );

    const url = await mc.presignedUrl('DELETE', B, 'a.txt', 60, { versionId: keep!.versionId! });
    assert.match(url, /versionId=/);
    const res = await fetch(url, { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('x-amz-version-id'), keep!.versionId);
    assert.deepEqual(await versions(B), []);
  });

  it('object lock: makeBucket with ObjectLocking, get/setObjectLockConfig', async () => {
    await mc.makeBucket('mv-lock-cfg', 'us-east-1', { ObjectLocking: true });
    assert.deepEqual(await mc.getBucketVersioning('mv-lock-cfg'), { Status: 'Enabled' });
    assert.deepEqual(await getLockConfig('mv-lock-cfg'), { objectLockEnabled: 'Enabled' });
    await setLockConfig('mv-lock-cfg', { mode: 'GOVERNANCE', unit: 'Days', validity: 3 });
    assert.deepEqual(await getLockConfig('mv-lock-cfg'), { objectLockEnabled: 'Enabled', mode: 'GOVERNANCE', unit: 'Days', validity: 3 });
    await setLockConfig('mv-lock-cfg', { mode: 'COMPLIANCE', unit: 'Years', validity: 1 });
    assert.deepEqual(await getLockConfig('mv-lock-cfg'), { objectLockEnabled: 'Enabled', mode: 'COMPLIANCE', unit: 'Years', validity: 1 });
    await setLockConfig('mv-lock-cfg', {});
    assert.deepEqual(await getLockConfig('mv-lock-cfg'), { objectLockEnabled: 'Enabled' });

    await mc.makeBucket('mv-no-lock');
    assert.equal(await errorCode(getLockConfig('mv-no-lock')), 'ObjectLockConfigurationNotFoundError');
    assert.equal(await errorCode(setLockConfig('mv-no-lock', { mode: 'GOVERNANCE', unit: 'Days', validity: 1 })), 'InvalidBucketState');
  });

  it('object lock: get/putObjectRetention, get/setObjectLegalHold, and removals they refuse', async () => {
    const B = 'mv-lock';
    await mc.makeBucket(B, 'us-east-1', { ObjectLocking: true });
    const { versionId } = await mc.putObject(B, 'report.pdf', 'audited');
    assert.ok(versionId);
    const until = new Date(Date.now() + 3600_000);
    until.setMilliseconds(0);
    await mc.putObjectRetention(B, 'report.pdf', { mode: 'GOVERNANCE', retainUntilDate: until.toISOString(), versionId });
    const retention = await mc.getObjectRetention(B, 'report.pdf', { versionId });
    assert.equal(retention?.mode, 'GOVERNANCE');
    assert.equal(new Date(String(retention?.retainUntilDate)).getTime(), until.getTime());

    assert.equal(await errorCode(mc.removeObject(B, 'report.pdf', { versionId })), 'AccessDenied');
    const refused = await mc.removeObjects(B, [{ name: 'report.pdf', versionId }]);
    assert.equal(refused.length, 1);
    assert.equal((refused[0] as { Code?: string }).Code, 'AccessDenied');
    const url = await mc.presignedUrl('DELETE', B, 'report.pdf', 60, { versionId });
    assert.equal((await fetch(url, { method: 'DELETE' })).status, 403);

    // Legal hold on top: the governance bypass is no longer enough.
    await mc.setObjectLegalHold(B, 'report.pdf', { status: 'ON', versionId });
    assert.deepEqual(await mc.getObjectLegalHold(B, 'report.pdf', { versionId }), { Status: 'ON' });
    assert.equal(await errorCode(mc.removeObject(B, 'report.pdf', { versionId, governanceBypass: true })), 'AccessDenied');
    await mc.setObjectLegalHold(B, 'report.pdf', { status: 'OFF', versionId });
    assert.deepEqual(await mc.getObjectLegalHold(B, 'report.pdf', { versionId }), { Status: 'OFF' });

    // Shortening GOVERNANCE needs the bypass; then the owner may remove the version.
    const sooner = new Date(until.getTime() - 60_000).toISOString();
    assert.equal(await errorCode(mc.putObjectRetention(B, 'report.pdf', { mode: 'GOVERNANCE', retainUntilDate: sooner, versionId })), 'AccessDenied');
    await mc.putObjectRetention(B, 'report.pdf', { mode: 'GOVERNANCE', retainUntilDate: sooner, versionId, governanceBypass: true });
    await mc.removeObject(B, 'report.pdf', { versionId, governanceBypass: true });
    assert.deepEqual(await versions(B), []);

    // COMPLIANCE holds against everything.
    const second = await mc.putObject(B, 'sealed.bin', 'sealed');
    await mc.putObjectRetention(B, 'sealed.bin', { mode: 'COMPLIANCE', retainUntilDate: until.toISOString(), versionId: second.versionId! });
    assert.equal(await errorCode(mc.removeObject(B, 'sealed.bin', { versionId: second.versionId!, governanceBypass: true })), 'AccessDenied');
    assert.equal(
      await errorCode(mc.putObjectRetention(B, 'sealed.bin', { mode: 'GOVERNANCE', retainUntilDate: until.toISOString(), versionId: second.versionId!, governanceBypass: true })),
      'AccessDenied',
    );
    assert.equal((await readAll(await mc.getObject(B, 'sealed.bin', { versionId: second.versionId! }))).toString(), 'sealed');
  });
});
