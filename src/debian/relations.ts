import type { VersionRelation } from "./version.js";

/**
 * Package relationship fields (Debian Policy 7.1): `Depends: a (>= 1), b | c:any`.
 * A field is a list of groups that must all hold; a group is a list of alternatives of
 * which one must hold.
 */
export interface Relation {
  readonly name: string;
  /** `any`, `native` or an architecture, after `:`. */
  readonly archQualifier?: string;
  readonly version?: { readonly relation: VersionRelation; readonly version: string };
}

export type RelationGroup = readonly Relation[];

const RELATION = /^([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|>=|>>|=|<|>)\s*([^)\s]+)\s*\))?\s*(?:\[[^\]]*\])?\s*(?:<[^>]*>\s*)*$/;

/** Parses a relationship field; alternatives that cannot be read are dropped (archive data is trusted but not assumed perfect). */
export function parseRelations(field: string | undefined): RelationGroup[] {
  if (field === undefined || field.trim() === "") return [];
  const groups: RelationGroup[] = [];
  for (const group of field.split(",")) {
    const alternatives: Relation[] = [];
    for (const alt of group.split("|")) {
      const relation = parseRelation(alt);
      if (relation !== undefined) alternatives.push(relation);
    }
    if (alternatives.length > 0) groups.push(alternatives);
  }
  return groups;
}

export function parseRelation(text: string): Relation | undefined {
  const m = RELATION.exec(text.trim().replace(/\s+/g, " "));
  if (m === null) return undefined;
  const [, name, arch, rel, version] = m;
  // `<` and `>` are obsolete spellings of `<=` and `>=` (Policy 7.1).
  const relation = rel === "<" ? "<=" : rel === ">" ? ">=" : (rel as VersionRelation | undefined);
  return {
    name: name as string,
    ...(arch === undefined ? {} : { archQualifier: arch }),
    ...(relation === undefined || version === undefined ? {} : { version: { relation, version } }),
  };
}

/** Formats a relation as it is written in control files, for messages. */
export function formatRelation(r: Relation): string {
  const arch = r.archQualifier === undefined ? "" : `:${r.archQualifier}`;
  const version = r.version === undefined ? "" : ` (${r.version.relation} ${r.version.version})`;
  return `${r.name}${arch}${version}`;
}
