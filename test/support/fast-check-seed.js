/**
 * Property tests are reproducible: one seed for every fast-check run (FC_SEED overrides it to explore), so a
 * CI run never turns red by chance on a case nobody can replay. A failure prints the seed and path to replay.
 */
const fc = require('fast-check');
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261130) });
