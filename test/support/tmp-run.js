// @ts-check
/**
 * Jest's globalSetup and globalTeardown (jest.config.js): every jest run gets its own temporary folder, and a
 * test never writes to the shared /tmp.
 *
 * Setup creates `<tmp>/cdk8s-gpu-platform-jest-XXXXXX` and points TMPDIR at it before jest starts its workers,
 * so os.tmpdir() in every test, in the libraries (cdk8s `Testing.app()` makes a `cdk8s.outdir.*` folder per
 * app when given no outdir) and in the processes the tests start is that folder. The caches meant to outlive a
 * run keep their own place: the harness's validator cache (`HARNESS_CACHE_DIR`, set here to where it would be
 * without this: `<tmp>/cdk8s-gpu-platform-harness`) and jest's transform cache (jest's config, computed before
 * setup). `TEST_CACHE_TMPDIR` tells a test where the real temporary folder is (test/package/consumer.test.ts
 * keeps its install there).
 *
 * Teardown reports what the tests left in the folder, then removes it: `cdk8s.outdir.*` folders are what
 * cdk8s does by design and are only counted; anything else is a leak of a test or of the code under test (a
 * temporary folder made and never removed), listed by name prefix so it can be found and fixed. The report is
 * one line starting with `tmp:` (scripts/test.sh repeats it in its closing line). A run killed before its
 * teardown leaves its folder; the next run's setup removes folders whose jest process is gone.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { alive } = require('../../scripts/process-alive');

const PREFIX = 'cdk8s-gpu-platform-jest-';
const OWNER = '.jest-pid';

/** Removes run folders whose jest process is gone (a killed run never reached its teardown). */
function sweep(/** @type {string} */ base) {
  let entries = [];
  try { entries = fs.readdirSync(base); } catch { return; }
  for (const e of entries) {
    if (!e.startsWith(PREFIX)) continue;
    const dir = path.join(base, e);
    let pid = NaN;
    try { pid = Number(fs.readFileSync(path.join(dir, OWNER), 'utf8')); } catch { /* half made or not ours */ }
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a run left in its folder, by name prefix (mkdtemp's six random characters and trailing digits or
 * hex ids removed): `{ outdirs, leaks: [[prefix, count], ...] }`.
 */
function leftovers(/** @type {string} */ dir) {
  const counts = new Map();
  let outdirs = 0;
  for (const e of fs.readdirSync(dir)) {
    if (e === OWNER) continue;
    if (e.startsWith('cdk8s.outdir.')) { outdirs++; continue; }
    const prefix = `${e.replace(/([A-Za-z0-9]{6}|[0-9a-f]{8,}|[0-9]+)$/, '')}*`;
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  return { outdirs, leaks: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) };
}

async function setup() {
  const base = os.tmpdir();
  sweep(base);
  const dir = fs.mkdtempSync(path.join(base, PREFIX));
  fs.writeFileSync(path.join(dir, OWNER), String(process.pid));
  process.env.TEST_CACHE_TMPDIR ??= base;
  process.env.HARNESS_CACHE_DIR ??= path.join(base, 'cdk8s-gpu-platform-harness');
  process.env.TMPDIR = dir;
}

async function teardown() {
  const dir = process.env.TMPDIR;
  if (!dir || !path.basename(dir).startsWith(PREFIX)) return;
  const { outdirs, leaks } = leftovers(dir);
  const leaked = leaks.reduce((n, [, c]) => n + c, 0);
  const list = leaks.map(([p, c]) => `${p} ${c}`).join(', ');
  process.stdout.write(leaked === 0
    ? `tmp: no leaks (${outdirs} cdk8s.outdir.* folders of Testing.app removed with the run's folder)\n`
    : `tmp: ${leaked} LEAKED: ${list} (left in the run's temporary folder by tests or the code under test, removed with it; ${outdirs} cdk8s.outdir.* folders of Testing.app)\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.env.TMPDIR = process.env.TEST_CACHE_TMPDIR;
}

module.exports = { setup, teardown, leftovers, sweep, PREFIX };
