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

module.exports = { alive };
