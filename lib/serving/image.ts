import { IConstruct } from 'constructs';
import { fail, Warnings } from '../core/errors';

/** The tag of an image reference, `undefined` when it has none (which means `latest`). */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) : undefined;
}

/** True when the reference is pinned by digest. */
export function hasDigest(image: string): boolean {
  return /@sha256:[a-f0-9]{64}$/.test(image);
}

/** Records a warning on a construct through the one warnings channel (`Warnings`). */
export function addWarning(scope: IConstruct, message: string): void {
  Warnings.add(scope, message);
}

/**
 * Refuses an image that is not pinned (no tag, or `latest`): a GPU node pulling a different engine
 * version on every restart is a silent upgrade. With `allowLatest` it warns instead.
 */
export function requirePinnedImage(scope: IConstruct, prop: string, image: string, allowLatest: boolean = false): string {
  if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) {
    fail(scope, prop, image, 'a container image reference such as "vllm/vllm-openai:v0.18.0"');
  }
  const tag = imageTag(image);
  if (!hasDigest(image) && (tag === undefined || tag === 'latest')) {
    if (!allowLatest) {
      fail(scope, prop, image, 'an image pinned to a version tag or a digest (not "latest" or untagged); set allowLatestImage: true to only warn');
    }
    addWarning(scope, `${prop}: image ${JSON.stringify(image)} is not pinned; every restart may pull a different engine version`);
  }
  return image;
}
