/**
 * Which front end reads a spec file: the one rule, by extension (`.mcc` is the DSL, anything
 * else YAML). Kept apart from the DSL parser so that reading a YAML spec never loads
 * Chevrotain, whose import alone costs more than a warm rebuild.
 */
export function isDslPath(path: string): boolean {
  return /\.mcc$/i.test(path);
}
