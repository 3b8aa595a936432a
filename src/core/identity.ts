/**
 * @module
 * Users and their access keys: the root user from the configuration (or
 * generated once and kept in the data folder), and users an administrator
 * adds. Secrets are stored retrievable because SigV4 and SigV2 verify HMACs
 * (sealed under the master key when there is one: the metadata adapter does it).
 */
import { fail } from './errors.ts';
import { canonicalId, newAccessKeyId, newSecretKey } from './ids.ts';
import type { AccessKey, Principal, User } from './types.ts';
import type { MetaStore } from '../ports/meta-store.ts';
import { SYSTEM_USER } from './registry/system-account.ts';

export interface RootCredentials {
  readonly accessKeyId: string;
  readonly secretKey: string;
}

const USER_NAME = /^[A-Za-z0-9_.@+=,-]{1,64}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_.@+=,-]{3,128}$/;

export class Identity {
  readonly #meta: MetaStore;
  readonly #clock: () => Date;

  constructor(meta: MetaStore, clock: () => Date = () => new Date()) {
    this.#meta = meta;
    this.#clock = clock;
  }

  /** Makes sure the root user exists with exactly these credentials (they may change between starts). */
  async ensureRoot(creds: RootCredentials): Promise<void> {
    let root = (await this.#meta.listUsers()).find((u) => u.isRoot);
    if (!root) {
      root = { id: canonicalId(), name: 'root', isRoot: true, createdAt: this.#clock() };
      await this.#meta.createUser(root);
    }
    for (const key of await this.#meta.listAccessKeys(root.id)) {
      if (key.accessKeyId !== creds.accessKeyId) await this.#meta.deleteAccessKey(key.accessKeyId);
    }
    const existing = await this.#meta.getAccessKey(creds.accessKeyId);
    if (existing && existing.userId !== root.id) {
      fail('InvalidArgument', `access key ${creds.accessKeyId} already belongs to another user`);
    }
    if (!existing || existing.secretKey !== creds.secretKey) {
      if (existing) await this.#meta.deleteAccessKey(existing.accessKeyId);
      await this.#meta.putAccessKey({ ...creds, userId: root.id, createdAt: this.#clock() });
    }
  }

  /** The secret and principal behind an access key id, for the signature checks. */
  async lookup(accessKeyId: string): Promise<{ secretKey: string; principal: Principal } | null> {
    const key = await this.#meta.getAccessKey(accessKeyId);
    if (!key) return null;
    const user = await this.#meta.getUser({ id: key.userId });
    if (!user) return null;
    return {
      secretKey: key.secretKey,
      principal: { userId: user.id, userName: user.name, isRoot: user.isRoot, accessKeyId },
    };
  }

  async addUser(name: string): Promise<User> {
    if (!USER_NAME.test(name) || name === 'root' || name === SYSTEM_USER) fail('InvalidArgument', `invalid user name "${name}"`);
    const user: User = { id: canonicalId(), name, isRoot: false, createdAt: this.#clock() };
    await this.#meta.createUser(user);
    return user;
  }

  async removeUser(name: string): Promise<void> {
    const user = await this.#requireUser(name);
    if (user.isRoot) fail('InvalidArgument', 'the root user cannot be removed');
    await this.#meta.deleteUser(user.id);
  }

  /** Every user but the registry's own account, which is no one's to manage. */
  async listUsers(): Promise<User[]> {
    return (await this.#meta.listUsers()).filter((u) => u.name !== SYSTEM_USER);
  }

  async addKey(userName: string, given: Partial<RootCredentials> = {}): Promise<AccessKey> {
    const user = await this.#requireUser(userName);
    if (user.isRoot) fail('InvalidArgument', 'root keys come from the configuration');
    const accessKeyId = given.accessKeyId ?? newAccessKeyId();
    const secretKey = given.secretKey ?? newSecretKey();
    if (!ACCESS_KEY_ID.test(accessKeyId)) fail('InvalidArgument', 'invalid access key id');
    if (secretKey.length < 8 || secretKey.length > 128) fail('InvalidArgument', 'a secret key needs 8 to 128 characters');
    if (await this.#meta.getAccessKey(accessKeyId)) fail('InvalidArgument', `access key ${accessKeyId} exists`);
    const key: AccessKey = { accessKeyId, secretKey, userId: user.id, createdAt: this.#clock() };
    await this.#meta.putAccessKey(key);
    return key;
  }

  async removeKey(accessKeyId: string): Promise<void> {
    const key = await this.#meta.getAccessKey(accessKeyId);
    if (!key) fail('NoSuchAccessKey', `no access key ${accessKeyId}`);
    const user = await this.#meta.getUser({ id: key.userId });
    if (user?.name === SYSTEM_USER) fail('NoSuchAccessKey', `no access key ${accessKeyId}`);
    if (user?.isRoot) fail('InvalidArgument', 'root keys come from the configuration');
    await this.#meta.deleteAccessKey(accessKeyId);
  }

  async listKeys(userName: string): Promise<AccessKey[]> {
    return this.#meta.listAccessKeys((await this.#requireUser(userName)).id);
  }

  async #requireUser(name: string): Promise<User> {
    const user = name === SYSTEM_USER ? null : await this.#meta.getUser({ name });
    if (!user) fail('NoSuchUser', `no user "${name}"`);
    return user;
  }
}
