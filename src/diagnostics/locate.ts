import type { Range } from "./diagnostic.js";
import type { SpecAst } from "../types/ast.js";

/**
 * The range to underline for a node. "value" underlines what was written after the key
 * (falling back to the key when the value is empty); "key" underlines the key (for unknown
 * or missing fields), falling back to the value for list items, which have no key. A
 * pointer with no location of its own (a missing field) borrows its nearest ancestor's.
 */
export function locate(ast: SpecAst, pointer: string, prefer: "value" | "key" = "value"): Range {
  let p = pointer;
  for (;;) {
    const loc = ast.locations.get(p);
    if (loc !== undefined) {
      const key = loc.keyStart !== undefined && loc.keyEnd !== undefined ? { start: loc.keyStart, end: loc.keyEnd } : undefined;
      const value = { start: loc.start, end: loc.end };
      if (prefer === "key" && key !== undefined) return key;
      if (value.end > value.start) return value;
      return key ?? value;
    }
    if (p === "") return { start: 0, end: 0 };
    p = p.slice(0, p.lastIndexOf("/"));
  }
}

/** The value a JSON Pointer names, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  let current: unknown = root;
  for (const token of pointer.slice(1).split("/")) {
    const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object") return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/** A JSON Pointer as a person writes the field: `/mounts/1/path` -> `mounts[1].path`. */
export function fieldName(pointer: string): string {
  if (pointer === "") return "the spec";
  let out = "";
  for (const token of pointer.slice(1).split("/")) {
    const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^[0-9]+$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** A short description of a value for messages: `a string ("curl")`, `a list`, `empty`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string": {
      const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
      return `a string (${JSON.stringify(shown)})`;
    }
    case "number":
      return `a number (${value})`;
    case "boolean":
      return `${value}`;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}
