import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ASSEMBLY, ensurePackageBuilt } from '../package/build';
import { ENUM_LIKE_PUBLIC_MEMBERS } from '../reviewed-enum-likes';

/** The `.jsii` assembly the package publishes (a redirect to `.jsii.gz` when compressed). */
function assembly(): any {
  const a = JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8'));
  return a.schema === 'jsii/file-redirect' ? JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(path.dirname(ASSEMBLY), a.filename))).toString()) : a;
}

// What other languages see: a class jsii publishes without an initializer (a private constructor) is
// enum-like, and its public instance properties and methods are the reviewed facts, nothing rendered.
test('the enum-like classes of the .jsii assembly publish only their reviewed members', () => {
  ensurePackageBuilt();
  const types = Object.values(assembly().types as { [fqn: string]: any })
    .filter((t) => t.kind === 'class' && t.namespace === undefined && t.initializer === undefined);
  const actual = Object.fromEntries(types.map((t) => [t.name,
    [...(t.properties ?? []), ...(t.methods ?? [])].filter((m: any) => !m.static).map((m: any) => m.name).sort()]));
  const expected = Object.fromEntries(Object.entries(ENUM_LIKE_PUBLIC_MEMBERS).map(([n, m]) => [n, [...m].sort()]));
  expect(actual).toEqual(expected);
}, 600_000);
