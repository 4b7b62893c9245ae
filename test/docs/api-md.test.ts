import * as fs from 'fs';
import { ensurePackageBuilt } from '../package/build';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderApiMarkdownCached, API_MD } = require('../../scripts/api-docs.js');

// API.md is generated from the TSDoc in lib/ (jsii-docgen over the .jsii assembly): never edited by hand.
// The rendering is remembered per assembly (content key; scripts/api-docs.js), the comparison runs every time.
test('API.md is what `npm run docs` generates from the current sources', async () => {
  ensurePackageBuilt();
  const expected: string = await renderApiMarkdownCached();
  const actual = fs.existsSync(API_MD) ? fs.readFileSync(API_MD, 'utf8') : '';
  if (actual !== expected) {
    throw new Error('API.md is stale: run `npm run build:package && npm run docs` and commit API.md');
  }
  expect(actual).toContain('### GpuInferenceService');
}, 600_000);
