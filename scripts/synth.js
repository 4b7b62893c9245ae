// @ts-check
/**
 * `npm run synth`: the cdk8s CLI's own `synth` command, called directly instead of through the `cdk8s` binary.
 *
 * What runs is cdk8s-cli's command module (`lib/cli/cmds/synth.js`, the `synth` of `cdk8s synth`): it reads
 * cdk8s.yaml, deletes the output folder, runs the `app:` command in its own process (`synthApp`), then loads the
 * `validations:` plugins and runs them on the files written (`validateApp`, exit code 2 on a failed report). The
 * options are that command's own (read from its yargs builder), so `npm run synth -- -o out --no-validate` means
 * what it means to `cdk8s synth`. What is left out is the binary's start-up: its yargs set-up loads every command,
 * and `init` alone pulls in jsii-pacmak, jsii-rosetta and TypeScript (about 0.6 s of the 1.2 s `cdk8s --version`
 * takes here before doing anything); `import`'s CRD and Helm importers, which synth needs only for
 * `--format helm` with CRDs, are loaded when first used. `cdk8s synth` itself keeps working unchanged.
 *
 * When the `app:` command is this repository's own app (`node [--require ./scripts/compile-cache.js]
 * scripts/app.js`), the app runs in this process (`runOwnAppInProcess`): one node start instead of two, and the
 * modules both need (cdk8s, yaml, lib/) load once; the validation plugin then finds them loaded. When nothing the
 * app's last run read has changed, its output is replayed instead of running it again (scripts/synth-memo.js);
 * validation runs either way. Any other
 * command is spawned by the CLI as `cdk8s synth` does, and then, while the app runs in its own process, this one
 * loads each local validation plugin, calling its static `prepare(properties)` when it has one
 * (GpuPlatformValidation loads its schemas and the validators its last run used). Either way the previous output
 * is deleted in the background. NODE_OPTIONS is passed on unchanged (the app command in cdk8s.yaml preloads the
 * compile cache itself).
 */
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');

const CLI_ROOT = path.dirname(require.resolve('cdk8s-cli/package.json'));
const cliFile = (/** @type {string[]} */ ...parts) => path.join(CLI_ROOT, 'lib', ...parts);

/**
 * Serves a module from require.cache as a stand-in that loads the real module on first property access. The synth
 * command imports the importers (`import/dispatch`) at its top but calls them only for Helm charts with CRDs.
 * cdk8s-cli imports some modules through TypeScript's `__importStar`, which copies every key of a CommonJS module
 * (loading it) unless the module says `__esModule`: with `namespaceImport` the stand-in says so, which is right only
 * for modules that every importer reads as a namespace (never through `.default`).
 */
function deferModule(/** @type {string} */ file, namespaceImport = false) {
  if (!fs.existsSync(file)) return () => undefined; // another cdk8s-cli layout: load everything, as the binary does
  /** @type {any} */
  let real;
  const load = () => {
    if (real === undefined) {
      delete require.cache[file];
      real = require(file);
    }
    return real;
  };
  const stub = new Module(file, module);
  stub.filename = file;
  stub.loaded = true;
  stub.exports = new Proxy({}, {
    get: (_t, key) => (namespaceImport && key === '__esModule' ? true : load()[key]),
    has: (_t, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Object.getOwnPropertyDescriptor(load(), key);
      return d && { ...d, configurable: true };
    },
  });
  require.cache[file] = stub;
  return load;
}

/**
 * The command's options, as its yargs builder declares them (name -> spec), by handing the builder a recorder.
 * @returns {Map<string, any>}
 */
function optionsOf(/** @type {any} */ command) {
  const options = new Map();
  /** @type {any} */
  const recorder = { option: (/** @type {string} */ name, /** @type {any} */ spec) => { options.set(name, spec); return recorder; } };
  command.builder(recorder);
  return options;
}

const camel = (/** @type {string} */ s) => s.replace(/-([a-z])/g, (_m, c) => c.toUpperCase());

/**
 * argv as yargs gives it to the handler: long names, `--name=value`, `--no-<boolean>`, single-letter aliases,
 * both the kebab-case and camelCase keys, defaults, and `CDK8S_<NAME>` environment variables (the binary's
 * `.env('CDK8S')`), the command line winning.
 */
function parseArgs(/** @type {Map<string, any>} */ options, /** @type {string[]} */ args) {
  /** @type {{ [k: string]: any }} */
  const argv = {};
  const byAlias = new Map([...options].filter(([, s]) => s.alias).map(([n, s]) => [s.alias, n]));
  const set = (/** @type {string} */ name, /** @type {any} */ value) => { argv[name] = value; argv[camel(name)] = value; };
  for (const [name, spec] of options) {
    const env = process.env[`CDK8S_${name.replace(/-/g, '_').toUpperCase()}`];
    if (env !== undefined) set(name, spec.type === 'boolean' ? env !== 'false' && env !== '0' : env);
    else if (spec.default !== undefined) set(name, spec.default);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const long = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    const short = /^-([A-Za-z])$/.exec(arg);
    let name = long ? long[1] : short ? byAlias.get(short[1]) : undefined;
    let value = long ? long[2] : undefined;
    if (name !== undefined && !options.has(name) && name.startsWith('no-') && options.get(name.slice(3))?.type === 'boolean') {
      set(name.slice(3), false);
      continue;
    }
    if (name !== undefined && !options.has(name) && options.has(name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))) {
      name = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    }
    if (name === undefined || !options.has(name)) {
      throw new Error(`Unknown argument: ${arg} (options: ${[...options.keys()].map((n) => `--${n}`).join(', ')})`);
    }
    const spec = options.get(name);
    if (spec.type === 'boolean') {
      set(name, value === undefined ? true : value !== 'false');
    } else {
      if (value === undefined) {
        if (i + 1 >= args.length) throw new Error(`Not enough arguments following: ${name}`);
        value = args[++i];
      }
      set(name, value);
    }
  }
  for (const [name, spec] of options) {
    if (spec.required && argv[name] === undefined) throw new Error(`Missing required argument: ${name}`);
  }
  return argv;
}

function help(/** @type {any} */ command, /** @type {Map<string, any>} */ options) {
  const lines = [`npm run synth -- [options]: ${command.describe} (cdk8s-cli's synth command; see scripts/synth.js)`, ''];
  for (const [name, spec] of options) lines.push(`  --${name}${spec.alias ? `, -${spec.alias}` : ''}  ${spec.desc ?? ''}`);
  return lines.join('\n');
}

/**
 * Calls each local validation plugin's static `prepare(properties)` when it has one (the CLI requires the same
 * module later and finds it loaded).
 */
function prepareValidations(/** @type {any} */ argv) {
  if (argv.validate === false) return;
  /** @type {any} */
  const config = require(cliFile('config.js')).readConfigSync();
  if (!Array.isArray(config?.validations)) return;
  for (const v of config.validations) {
    const local = typeof v?.package === 'string' && (path.isAbsolute(v.package) || v.package.startsWith(`.${path.sep}`));
    if (!local) continue; // npm plugins may need installing first: the CLI does that
    try {
      const clazz = require(require.resolve(path.resolve(process.cwd(), v.package)))[v.class];
      if (typeof clazz?.prepare === 'function') clazz.prepare(v.properties ?? {});
    } catch {
      // Only a head start: the CLI loads the plugin again and reports what fails.
    }
  }
}

/**
 * Moves the previous output folder aside (one rename), so the handler's `rmSync(outdir)` before it starts the
 * app finds nothing to delete: the app starts ~0.1 s sooner. The old tree is deleted in the background while the
 * app runs. Same result: the output folder is gone before the app runs. Leftovers of an interrupted run (`.<outdir>.deleting-<pid>`) are deleted too.
 * @returns {string[]} the folders to delete
 */
function moveOutdirAside(/** @type {any} */ argv) {
  if (argv.stdout) return [];
  const config = require(cliFile('config.js')).readConfigSync();
  const outdir = path.resolve(argv.output ?? config?.output ?? 'dist');
  const parent = path.dirname(outdir);
  const prefix = `.${path.basename(outdir)}.deleting-`;
  /** @type {string[]} */
  const doomed = [];
  try {
    for (const name of fs.readdirSync(parent)) if (name.startsWith(prefix)) doomed.push(path.join(parent, name));
  } catch { /* no parent folder yet */ }
  const aside = path.join(parent, `${prefix}${process.pid}`);
  try {
    fs.renameSync(outdir, aside);
    doomed.push(aside);
  } catch {
    // nothing to move (or another filesystem): the handler deletes it
  }
  return doomed;
}

/** `app:` commands that are this repository's own app (scripts/app.js), run by node with at most the compile cache. */
const OWN_APP = /^node(?: +(?:--require|-r) +\.\/scripts\/compile-cache\.js)? +(?:\.\/)?scripts\/app\.js$/;

/**
 * Runs this repository's own app in this process instead of spawning a second node, which would boot again and
 * load the modules this process loads anyway for validation (yaml, cdk8s, lib/). What `synthApp` (cdk8s-cli
 * lib/util.js) does around the spawn is done the same way: CDK8S_OUTDIR and CDK8S_RECORD_CONSTRUCT_METADATA are
 * set as it sets them for the child, the app's stdout is dropped (the CLI pipes the child's stdout and ignores
 * it), its stderr (the warnings) is kept, a failure reports as the CLI's `command ... returned a non-zero exit
 * code 1`; then the same manifest listing. Any other `app:` command (and `cdk8s synth` itself) spawns as before.
 * @returns {boolean} whether it was installed
 */
function runOwnAppInProcess() {
  const util = require(cliFile('util.js'));
  const original = util.synthApp;
  if (typeof original !== 'function' || typeof util.findManifests !== 'function' || typeof util.findConstructMetadata !== 'function') return false;
  util.synthApp = async function synthApp(/** @type {string} */ command, /** @type {string} */ outdir, /** @type {boolean} */ stdout, /** @type {boolean} */ metadata) {
    const own = OWN_APP.test(command.trim()) && path.resolve('scripts', 'app.js') === path.join(__dirname, 'app.js');
    if (!own) return original.apply(this, arguments);
    if (!stdout) console.log('Synthesizing application');
    const env = {
      CDK8S_OUTDIR: outdir,
      CDK8S_RECORD_CONSTRUCT_METADATA: process.env.CDK8S_RECORD_CONSTRUCT_METADATA ?? (metadata ? 'true' : 'false'),
    };
    /** @type {{ [k: string]: string | undefined }} */
    const saved = {};
    for (const k of Object.keys(env)) saved[k] = process.env[k];
    Object.assign(process.env, env);
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      const app = require('./app');
      app.prepare();
      // Nothing the last run read has changed: its output again (scripts/synth-memo.js); else run and record.
      const memo = require('./synth-memo');
      // `--stdout` synthesizes into a new temporary folder each time: nothing to replay there.
      if (stdout) app.synthesize();
      else if (!memo.replay(command, outdir)) await memo.recordRun(command, outdir, app.synthesize);
    } catch (e) {
      process.stdout.write = write;
      console.error(/** @type {any} */ (e)?.stack ?? e);
      throw new Error(`command "${command} " at ${path.resolve('.')} returned a non-zero exit code 1`);
    } finally {
      process.stdout.write = write;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    if (!fs.existsSync(outdir)) {
      console.error(`ERROR: synthesis failed, app expected to create "${outdir}"`);
      process.exit(1);
    }
    const manifests = await util.findManifests(outdir);
    if (manifests.length > 0) {
      if (!stdout) for (const f of manifests) console.log(`  - ${f}`);
    } else {
      console.error('No manifests synthesized');
    }
    return { manifests, constructMetadata: util.findConstructMetadata(outdir) };
  };
  return true;
}

async function main() {
  // Before anything is loaded: what the app's output depends on includes how every module was found.
  require('./synth-memo').watchResolutions();
  deferModule(cliFile('import', 'dispatch.js'));
  // Needed only after the app has started (plugin versions, `--chart-version`): loaded while the app runs. Its
  // importers use `__importStar`.
  const loadSemver = deferModule(require.resolve('semver', { paths: [CLI_ROOT] }), true);
  const command = require(cliFile('cli', 'cmds', 'synth.js'));
  const options = optionsOf(command);
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(help(command, options));
    return;
  }
  let argv;
  try {
    argv = parseArgs(options, args);
  } catch (e) {
    console.error(`${/** @type {Error} */ (e).message}\n\n${help(command, options)}`);
    process.exit(1);
  }
  const doomed = moveOutdirAside(argv);
  const inProcess = runOwnAppInProcess();
  // Started before the handler: deleting the old tree is no part of the app's run (scripts/synth-memo.js watches it).
  const cleared = Promise.all(doomed.map((d) => fs.promises.rm(d, { recursive: true, force: true }).catch(() => undefined)));
  const synth = command.handler(argv);
  if (!inProcess) {
    // The handler has spawned the app by the time a macrotask runs (everything before the spawn is synchronous or
    // already-resolved promises); prepare the plugins meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    prepareValidations(argv);
    loadSemver();
  }
  await synth;
  await cleared;
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
