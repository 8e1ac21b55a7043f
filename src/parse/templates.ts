/** Paths under a chart's templates/ folder are Go templates, whatever they contain. */
export function isChartTemplatePath(path: string): boolean {
  return /(^|\/)templates\/[^/]+\.(ya?ml|tpl)$/i.test(path);
}
