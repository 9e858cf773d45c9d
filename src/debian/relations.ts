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

/**
 * The names of a relationship field's relations, in order: what
 * `parseRelations(field).flatMap((g) => g.map((r) => r.name))` gives, without making the
 * relations. A catalog reads every Provides of an index this way (bookworm main: 15,000 fields).
 * The plain shapes (`name`, `name (= 1.0)`) are read here; anything else goes to the parser.
 */
export function relationNames(field: string | undefined): string[] {
  if (field === undefined) return [];
  const names: string[] = [];
  for (const group of field.split(",")) {
    for (const alt of group.split("|")) {
      const name = plainName(alt) ?? parseRelation(alt)?.name;
      if (name !== undefined) names.push(name);
    }
  }
  return names;
}

const isBlank = (c: number) => c === 32 || c === 9;
const isNameChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;

/**
 * The name of `[blanks] name [blanks] [(op [blanks] version [blanks])] [blanks]`, where a blank
 * is a space or tab and a version printable ASCII; undefined for anything else (the parser
 * decides). Accepts only what RELATION accepts, with the same name.
 */
function plainName(text: string): string | undefined {
  let i = 0;
  const n = text.length;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  const start = i;
  const first = text.charCodeAt(i);
  if (!((first >= 97 && first <= 122) || (first >= 48 && first <= 57))) return undefined;
  while (i < n && isNameChar(text.charCodeAt(i))) i++;
  const end = i;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  if (i < n && text.charCodeAt(i) === 40) {
    i++;
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    const op = text.charCodeAt(i);
    if (op === 61) i++;
    else if (op === 60 || op === 62) {
      i++;
      const next = text.charCodeAt(i);
      if (next === 61 || next === op) i++;
    } else return undefined;
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    const versionStart = i;
    for (let c = text.charCodeAt(i); i < n && c > 32 && c < 127 && c !== 41; c = text.charCodeAt(++i));
    if (i === versionStart) return undefined;
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 41) return undefined;
    i++;
    while (i < n && isBlank(text.charCodeAt(i))) i++;
  }
  return i === n ? text.slice(start, end) : undefined;
}

/** Formats a relation as it is written in control files, for messages. */
export function formatRelation(r: Relation): string {
  const arch = r.archQualifier === undefined ? "" : `:${r.archQualifier}`;
  const version = r.version === undefined ? "" : ` (${r.version.relation} ${r.version.version})`;
  return `${r.name}${arch}${version}`;
}
