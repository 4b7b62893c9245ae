import { IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { requireDnsLabel } from '../core/names';

const HTTPS_URL = /^https:\/\/[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?\/[^\s]+$/;
const SSH_URL = /^ssh:\/\/([A-Za-z0-9._-]+@)?[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?\/[^\s]+$/;
const SCP_URL = /^[A-Za-z0-9._-]+@[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?:[^\s/][^\s]*$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** The default in-cluster API server, as Argo CD names it. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** Checks a Git repository URL in one of the forms Argo CD accepts. */
export function requireRepoUrl(scope: IConstruct, prop: string, url: string): string {
  if (typeof url !== 'string' || !(HTTPS_URL.test(url) || SSH_URL.test(url) || SCP_URL.test(url))) {
    fail(scope, prop, url, 'a Git repository URL: https://host/path, ssh://[user@]host/path or user@host:path');
  }
  return url;
}

/** Checks a path inside the repository: relative, no `..`, no leading or trailing `/`. */
export function requireRepoPath(scope: IConstruct, prop: string, path: string): string {
  const parts = typeof path === 'string' ? path.split('/') : [];
  if (typeof path !== 'string' || path === '' || parts.some((p) => p === '' || p === '..' || /\s/.test(p))) {
    fail(scope, prop, path, "a relative path inside the repository, such as \"dist/prod/apps\" (no leading '/', no '..', no empty segments)");
  }
  return path;
}

/** Checks a Git revision: a branch, tag, commit or `HEAD`. */
export function requireRevision(scope: IConstruct, prop: string, revision: string): string {
  if (typeof revision !== 'string' || !REVISION.test(revision) || revision.includes('..')) {
    fail(scope, prop, revision, 'a Git revision: HEAD, a branch, a tag or a commit SHA');
  }
  return revision;
}

/** Checks a cluster API server URL. */
export function requireServerUrl(scope: IConstruct, prop: string, server: string): string {
  if (typeof server !== 'string' || !/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(server)) {
    fail(scope, prop, server, `an https:// API server URL, such as "${IN_CLUSTER_SERVER}"`);
  }
  return server;
}

/** Checks a namespace name. */
export function requireNamespace(scope: IConstruct, prop: string, namespace: string): string {
  return requireDnsLabel(scope, prop, namespace);
}
