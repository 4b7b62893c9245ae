// @ts-check
'use strict';

/**
 * Whether a process with this id runs (signal 0 only checks; EPERM means it runs as another user). Used to tell a
 * lock or temporary folder of a live process from one a killed process left behind.
 */
function alive(/** @type {number} */ pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
  }
}

/**
 * One attempt to take a lock folder, which then holds the taker's process id: true when taken, false when a live
 * process holds it (try again later). A lock whose process is gone (a killed build), or any lock once `deadline`
 * (ms since the epoch) has passed, is removed and taken. Throws on anything but an existing lock.
 */
function tryLock(/** @type {string} */ lock, /** @type {number} */ deadline) {
  const fs = require('fs');
  const path = require('path');
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e;
      let pid = NaN;
      try { pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8')); } catch { /* being created */ }
      if (!((Number.isInteger(pid) && pid > 0 && !alive(pid)) || Date.now() > deadline)) return false;
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

module.exports = { alive, tryLock };
