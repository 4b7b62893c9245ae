import { App, YamlOutputType } from 'cdk8s';

/** Builds the example app. Exported so tests synthesize exactly what `npm run synth` writes. */
export function buildExamples(outdir?: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
  return app;
}

if (require.main === module) {
  buildExamples().synth();
}
