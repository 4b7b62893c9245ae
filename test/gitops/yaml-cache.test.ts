import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { FolderWriter } from '../../lib/gitops/linear-synth';
import { documentKey } from '../../lib/gitops/serializer-pool';
import { useYamlCache, YamlDiskCache, yamlDiskCache } from '../../lib/gitops/yaml-cache';
import { tempDir } from '../support/tmp';

const tmp = tempDir;
const doc = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'x: y', b: undefined } });

describe('YamlDiskCache (npm run synth keeps YAML between synths)', () => {
  afterEach(() => useYamlCache(undefined));

  test('serves what it stored, writes back only the documents used, and only when they changed', () => {
    const file = path.join(tmp('yaml-cache-'), 'c.json');
    const first = new YamlDiskCache(file);
    let made = 0;
    const make = (d: any) => () => { made++; return Yaml.stringify(d); };
    const [a, b] = [doc('a'), doc('b')];
    expect(first.get(documentKey(a), make(a))).toBe(Yaml.stringify(a));
    first.get(documentKey(b), make(b));
    first.save();
    expect(made).toBe(2);

    const second = new YamlDiskCache(file);
    expect(second.get(documentKey(a), make(a))).toBe(Yaml.stringify(a));
    expect(made).toBe(2); // from disk
    const before = fs.statSync(file).mtimeMs;
    second.save(); // b unused: written back without it
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')))).toHaveLength(1);

    const third = new YamlDiskCache(file);
    third.get(documentKey(a), make(a));
    const unchanged = fs.readFileSync(file, 'utf8');
    third.save(); // the same set: not rewritten
    expect(fs.readFileSync(file, 'utf8')).toBe(unchanged);
    expect(fs.statSync(file).mtimeMs).toBeGreaterThanOrEqual(before);
  });

  test('a corrupt file only means serializing again', () => {
    const file = path.join(tmp('yaml-cache-'), 'c.json');
    fs.writeFileSync(file, '{not json');
    const a = doc('a');
    expect(new YamlDiskCache(file).get(documentKey(a), () => Yaml.stringify(a))).toBe(Yaml.stringify(a));
  });

  test('off unless turned on; on, FolderWriter writes the same bytes from the cache as without it', () => {
    expect(yamlDiskCache()).toBeUndefined();
    const folder = { folder: 'env/app', extraResources: [], objects: [doc('a'), doc('b')].map((m) => ({ fileName: `configmap-${m.metadata.name}.yaml`, manifest: m, patch: false, path: 'p' })) };
    const plain = tmp('yaml-plain-');
    FolderWriter.writeAll(plain, [folder], true);
    const cacheDir = tmp('yaml-cache-');
    useYamlCache(cacheDir);
    for (let i = 0; i < 2; i++) {
      const out = tmp('yaml-cached-');
      FolderWriter.writeAll(out, [folder], true);
      for (const f of ['configmap-a.yaml', 'configmap-b.yaml', 'kustomization.yaml']) {
        expect(fs.readFileSync(path.join(out, 'env/app', f), 'utf8')).toBe(fs.readFileSync(path.join(plain, 'env/app', f), 'utf8'));
      }
    }
    expect(fs.readdirSync(cacheDir)).toEqual([expect.stringMatching(/^cdk8s-[0-9.]+-yaml-[0-9.]+\.json$/)]);
  });
});
