/**
 * A head start for a validation whose manifests do not exist yet: `npm run synth` (scripts/synth.js) calls
 * `GpuPlatformValidation.prepare()` while the app synthesizes in its own process. It loads the CRD index and the
 * compiled validators the last validation used (the kinds rarely change between two synths), so the validation
 * that follows only checks. The list lives in the validator's cache folder; a stale or missing list only means
 * less head start.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CACHE_ROOT, writeAtomic } from './cache';
import { hasCheckMemo } from './check-memo';
import { crdIndex, crdValidatorsInUse, loadCrdValidators } from './crd';
import { loadSchemaValidators, schemaValidatorsInUse } from './schema';

const RECENT = path.join(CACHE_ROOT, 'recent-validators.json');

interface Recent {
  readonly crd: string[];
  readonly schema: string[];
}

/** Loads the CRD index and the validators of the last validation. */
export function prepareValidators(): void {
  crdIndex();
  // With the plugin's memo of passed checks, only changed objects need a validator: they load when used.
  if (!hasCheckMemo()) loadRecent();
}

function loadRecent(): void {
  let recent: Partial<Recent>;
  try {
    recent = JSON.parse(fs.readFileSync(RECENT, 'utf8'));
  } catch {
    return;
  }
  if (Array.isArray(recent.crd)) loadCrdValidators(recent.crd.filter((k) => typeof k === 'string'));
  if (Array.isArray(recent.schema)) loadSchemaValidators(recent.schema.filter((k) => typeof k === 'string'));
}

/** Remembers the validators this process loaded, for the next `prepareValidators()`. */
export function rememberValidators(): void {
  const text = JSON.stringify({ crd: crdValidatorsInUse(), schema: schemaValidatorsInUse() } satisfies Recent);
  try {
    if (fs.readFileSync(RECENT, 'utf8') === text) return;
  } catch { /* none yet */ }
  try {
    fs.mkdirSync(CACHE_ROOT, { recursive: true });
    writeAtomic(RECENT, text);
  } catch { /* a read-only cache only costs time */ }
}
