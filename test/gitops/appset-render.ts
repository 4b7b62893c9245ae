/**
 * The Applications an ApplicationSet manifest generates, rendered the way the argo-cd v3.5.1 ApplicationSet
 * controller does for what the library writes: a list generator's elements as Go template parameters
 * (`{{.key}}`, and sprig's `{{ toJson .key }}` in the templatePatch), then the templatePatch as a
 * strategic-merge patch (applicationset/controllers/template/patch.go): maps merge, lists and scalars are
 * replaced (no Application field the library patches has a patch strategy), null deletes.
 */
export function renderApplicationSet(set: any): any[] {
  const params = (e: any) => (s: string) => s
    .replace(/\{\{\s*toJson\s+\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, k) => {
      if (!(k in e)) throw new Error(`missingkey=error: ${k}`);
      return JSON.stringify(e[k]);
    })
    .replace(/\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, k) => {
      if (!(k in e)) throw new Error(`missingkey=error: ${k}`);
      return String(e[k]);
    });
  const renderDeep = (v: any, r: (s: string) => string): any => (typeof v === 'string' ? r(v)
    : Array.isArray(v) ? v.map((x) => renderDeep(x, r))
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderDeep(x, r)])) : v);
  const merge = (base: any, patch: any): any => {
    if (patch === null) return undefined;
    if (!patch || typeof patch !== 'object' || Array.isArray(patch) || !base || typeof base !== 'object' || Array.isArray(base)) return patch;
    const out: any = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      const m = merge(base[k], v);
      if (m === undefined) delete out[k]; else out[k] = m;
    }
    return out;
  };
  const spec = set.spec;
  if (spec.templatePatch !== undefined && spec.goTemplate !== true) throw new Error('templatePatch needs goTemplate');
  return spec.generators.flatMap((g: any) => g.list.elements).map((e: any) => {
    const r = params(e);
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...renderDeep(spec.template, r) };
    if (spec.templatePatch === undefined) return app;
    const patched = merge(app, JSON.parse(r(spec.templatePatch)));
    // The controller keeps the template's project whatever the patch says (patch.go).
    patched.spec.project = app.spec.project;
    return patched;
  });
}
