import type { SourceText } from "./source-text.js";

/**
 * Where a node of the spec was written: the value's range and, for a mapping entry, the
 * key's range. Offsets index the source text.
 */
export interface NodeLocation {
  readonly start: number;
  readonly end: number;
  readonly keyStart?: number;
  readonly keyEnd?: number;
  /** The scalar as written, for values whose spelling matters (octal modes). */
  readonly raw?: string;
}

/**
 * A parsed spec before validation: a plain JSON-like value plus the location of every
 * node, keyed by JSON Pointer (`/mounts/0/path`, as Ajv's `instancePath` names them).
 * Both front ends (YAML, and later the DSL) produce this.
 */
export interface SpecAst {
  readonly source: SourceText;
  readonly value: unknown;
  readonly locations: ReadonlyMap<string, NodeLocation>;
}

/** Appends one reference token to a JSON Pointer, escaping as RFC 6901 says. */
export function childPointer(parent: string, token: string | number): string {
  return `${parent}/${String(token).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}
