/**
 * @module
 * Builds the registry's services over one metadata store and blob store:
 * the system account first (its key signs every URL, its secret seeds the
 * cursor key), then the services that share it.
 */
import type { BlobStore } from '../../ports/blob-store.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { Buckets } from '../buckets.ts';
import type { Identity } from '../identity.ts';
import type { Sse } from '../sse.ts';
import { Audit } from './audit.ts';
import { Cursors } from './cursors.ts';
import { Gates } from './gates.ts';
import { Grants } from './grants.ts';
import { Hubs } from './hubs.ts';
import { Models } from './models.ts';
import { Pinning } from './pinning.ts';
import type { Registry } from './registry-api.ts';
import { ensureSystemAccount } from './system-account.ts';
import type { SystemAccount } from './system-account.ts';
import { Tags } from './tags.ts';
import { Tokens } from './tokens.ts';
import { UploadGrants } from './upload-grants.ts';
import { UrlSigner } from './url-signer.ts';

export interface RegistryDeps {
  readonly meta: MetaStore;
  readonly blobs: BlobStore;
  readonly buckets: Buckets;
  readonly identity: Identity;
  readonly clock: () => Date;
  readonly region: string;
  /** Reads encrypted (SSE-S3) sources when pinning them; absent: encrypted sources cannot be hashed. */
  readonly sse?: Sse;
}

export async function createRegistry(deps: RegistryDeps): Promise<Registry & { readonly system: SystemAccount }> {
  const { meta, blobs, buckets, identity, clock, region } = deps;
  const system = await ensureSystemAccount(meta, region, clock);
  const cursors = new Cursors(system.cursorKey);
  const signer = new UrlSigner(system, region);
  const pinning = new Pinning({ meta, blobs, buckets, system, clock, sse: deps.sse });
  const uploads = new UploadGrants({ meta, pinning, signer, clock, bucket: system.bucket });
  const account = { accountId: system.accountId, region };
  const gates = new Gates({ meta, clock });
  return {
    system,
    account,
    tokens: new Tokens({ meta, identity, clock }),
    models: new Models({ meta, pinning, uploads, cursors, clock }),
    hubs: new Hubs({ meta, pinning, cursors, clock, account }),
    tags: new Tags({ meta }),
    gates,
    grants: new Grants({ meta, gates, uploads, signer, cursors, clock, bucket: system.bucket }),
    audit: new Audit({ meta, cursors }),
  };
}
