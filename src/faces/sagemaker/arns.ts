/**
 * @module
 * SageMaker ARNs for the registry's records, and the name-or-ARN members
 * that SageMaker operations accept. As on AWS, model package (group) names
 * are lowercased in their ARNs, hub and hub content names are not:
 *
 *   arn:aws:sagemaker:<region>:<account>:model-package-group/<group>
 *   arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>
 *   arn:aws:sagemaker:<region>:<account>:model-package/<name>
 *   arn:aws:sagemaker:<region>:<account>:hub/<hub>
 *   arn:aws:sagemaker:<region>:<account>:hub-content/<hub>/<type>/<name>/<version>
 *
 * Parsing accepts any region and account: a Signet deployment is one account.
 */
import { SageMakerError } from './sagemaker-errors.ts';

export interface Account {
  readonly accountId: string;
  readonly region: string;
}

const ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:(?:[0-9]{12}|aws):([a-z-]+)\/(.+)$/;

export class Arns {
  readonly #prefix: string;

  constructor(account: Account) {
    this.#prefix = `arn:aws:sagemaker:${account.region}:${account.accountId}:`;
  }

  group(name: string): string {
    return `${this.#prefix}model-package-group/${name.toLowerCase()}`;
  }

  /** A versioned package (`version` given) or an unversioned one. */
  modelPackage(name: string, version?: number): string {
    return `${this.#prefix}model-package/${name.toLowerCase()}${version === undefined ? '' : `/${version}`}`;
  }

  hub(name: string): string {
    return `${this.#prefix}hub/${name}`;
  }

  hubContent(hub: string, type: string, name: string, version: string): string {
    return `${this.#prefix}hub-content/${hub}/${type}/${name}/${version}`;
  }
}

/** The resource type and path of a SageMaker ARN, or null when `value` is not one. */
export function parseArn(value: string): { readonly resource: string; readonly path: string } | null {
  const m = ARN.exec(value);
  return m ? { resource: m[1]!, path: m[2]! } : null;
}

export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

function wrongArn(member: string, value: string, expected: string): never {
  throw new SageMakerError('ValidationException', `'${value}' at '${member}' is not a valid ${expected} ARN.`);
}

/** A name, or the last part of an ARN of `resource` with one path segment. */
export function nameOrArn(value: string, resource: 'hub' | 'model-package-group', member: string): { readonly name: string; readonly fromArn: boolean } {
  if (!isArn(value)) return { name: value, fromArn: false };
  const arn = parseArn(value);
  if (arn?.resource !== resource || arn.path.includes('/')) wrongArn(member, value, resource);
  return { name: arn.path, fromArn: true };
}

export interface PackageName {
  /** The group (versioned) or the unversioned package's name. */
  readonly name: string;
  readonly version: number | null;
  /** ARNs carry lowercased names. */
  readonly fromArn: boolean;
}

const PACKAGE_PATH = /^([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})(?:\/([0-9]{1,9}))?$/;

/** `name`, `group/version`, or a model-package ARN of either. */
export function packageName(value: string, member: string): PackageName {
  const arn = isArn(value) ? parseArn(value) : null;
  if (isArn(value) && arn?.resource !== 'model-package') wrongArn(member, value, 'model-package');
  const m = PACKAGE_PATH.exec(arn ? arn.path : value);
  if (!m) throw new SageMakerError('ValidationException', `'${value}' at '${member}' is not a model package name or ARN.`);
  return { name: m[1]!, version: m[2] === undefined ? null : Number(m[2]), fromArn: arn !== null };
}

