import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type ParsedNode,
  type YAMLError,
} from "yaml";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { positionAt, type SourceText } from "../types/source-text.js";
import { childPointer, type NodeLocation, type SpecAst } from "../types/ast.js";

/** How deep a spec's mappings and lists may nest: a spec uses four levels; this is far beyond any. */
const MAX_SPEC_DEPTH = 64;

/**
 * How many nodes a spec may expand to once aliases are followed. Real specs have a few
 * hundred; an alias bomb ("billion laughs") has billions, and is stopped here in bounded
 * time and memory because aliases are expanded by our own walk, never by `toJS`.
 */
export const MAX_SPEC_NODES = 100_000;

export interface ParseResult {
  /** Present when the text is a YAML document good enough to validate. */
  readonly ast?: SpecAst;
  readonly diagnostics: readonly Diagnostic[];
}

/** Tags a spec may carry explicitly: the YAML 1.2 core schema's own. */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "seq", "map"].map((t) => `tag:yaml.org,2002:${t}`),
);

/** YAML errors after which the tree is still exactly what the user wrote. */
const RECOVERABLE = new Set(["DUPLICATE_KEY"]);

/** Parses a spec's YAML text into a plain value with the location of every node. Pure. */
export function parseYamlSpec(source: SourceText): ParseResult {
  const docs = parseAllDocuments(source.text, {
    prettyErrors: false,
    uniqueKeys: false,
    strict: true,
    keepSourceTokens: true,
  });
  if (!Array.isArray(docs)) {
    return { diagnostics: [diagnosticAt(source, { start: 0, end: 0 }, "MCC006")] };
  }
  const diagnostics: Diagnostic[] = [];
  if (docs.length > 1) {
    const second = docs[1]?.range[0] ?? 0;
    diagnostics.push(diagnosticAt(source, { start: second, end: second + 3 }, "MCC104", { count: docs.length }));
  }
  const doc = docs[0];
  if (doc === undefined) return { diagnostics: [diagnosticAt(source, { start: 0, end: 0 }, "MCC006")] };

  let fatal = diagnostics.length > 0;
  for (const error of [...doc.errors, ...doc.warnings]) {
    diagnostics.push(yamlErrorToDiagnostic(source, error));
    if (!RECOVERABLE.has(error.code)) fatal = true;
  }
  if (fatal) return { diagnostics };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.tag === undefined)) {
    return { diagnostics: [diagnosticAt(source, { start: 0, end: 0 }, "MCC006")] };
  }

  const walker = new Walker(source, doc);
  const value = walker.walk(doc.contents, "", undefined);
  diagnostics.push(...walker.diagnostics);
  // A value the walk could not take (an unsupported tag, a bad key) would only cause
  // misleading schema errors downstream; stop at the real problem.
  if (walker.fatal) return { diagnostics };
  return { ast: { source, value, locations: walker.locations }, diagnostics };
}

function yamlErrorToDiagnostic(source: SourceText, error: YAMLError): Diagnostic {
  const range = { start: error.pos[0], end: Math.max(error.pos[1], error.pos[0] + 1) };
  switch (error.code) {
    case "TAB_AS_INDENT":
      return diagnosticAt(source, range, "MCC102");
    default: {
      const detail = error.message.replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase());
      return diagnosticAt(source, range, "MCC100", { detail });
    }
  }
}

class Walker {
  readonly locations = new Map<string, NodeLocation>();
  readonly diagnostics: Diagnostic[] = [];
  /** Set when the value cannot be validated as it stands; duplicate keys do not set it. */
  fatal = false;
  private aborted = false;
  private nodes = 0;
  /** The collections being walked, outermost first: an alias to one of them is a cycle. */
  private readonly open = new Set<unknown>();

  constructor(
    private readonly source: SourceText,
    private readonly doc: Document.Parsed,
  ) {}

  walk(node: ParsedNode | YamlNode | null, pointer: string, key: YamlNode | undefined): unknown {
    if (this.aborted) return null;
    if (++this.nodes > MAX_SPEC_NODES) {
      this.aborted = this.fatal = true;
      const at = nodeRange(node) ?? { start: 0, end: 0 };
      this.diagnostics.push(diagnosticAt(this.source, at, "MCC103", { limit: MAX_SPEC_NODES }));
      return null;
    }
    const keyRange = key === undefined ? undefined : nodeRange(key);
    const range = nodeRange(node) ?? keyRange ?? { start: 0, end: 0 };
    const location: { -readonly [K in keyof NodeLocation]: NodeLocation[K] } = { start: range.start, end: range.end };
    if (keyRange !== undefined) {
      location.keyStart = keyRange.start;
      location.keyEnd = keyRange.end;
    }
    if (!this.locations.has(pointer)) this.locations.set(pointer, location);

    if (node === null) return null;
    if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      this.unsupported(range, `the YAML tag ${shortTag(node.tag)} is not supported in a spec; write plain values`);
      return null;
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined) {
        this.diagnostics.push(
          diagnosticAt(this.source, range, "MCC100", { detail: `alias *${node.source} names no anchor defined before it` }),
        );
        this.aborted = this.fatal = true;
        return null;
      }
      // Depth is checked where the target is walked; a target that contains the alias never ends.
      if (this.open.has(target)) {
        this.diagnostics.push(diagnosticAt(this.source, range, "MCC100", { detail: `alias *${node.source} refers to a node that contains it, which would never end` }));
        this.aborted = this.fatal = true;
        return null;
      }
      return this.walk(target, pointer, undefined);
    }
    if (isScalar(node)) {
      const raw = scalarSource(node);
      if (raw !== undefined && typeof node.value === "number") location.raw = raw;
      // A plain integer with a leading zero is octal, as in YAML 1.1 and chmod: `mode: 0644`
      // means what its writer meant, not 644 decimal as the YAML 1.2 core schema would read it.
      if (raw !== undefined && node.type === "PLAIN" && /^0[0-7]+$/.test(raw)) return parseInt(raw, 8);
      const value = node.value;
      if (typeof value === "bigint") return Number(value);
      if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        return value;
      }
      this.unsupported(range, `this value (${typeof value}) cannot appear in a spec`);
      return null;
    }
    if ((isSeq(node) || isMap(node)) && this.open.size >= MAX_SPEC_DEPTH) {
      this.diagnostics.push(diagnosticAt(this.source, range, "MCC100", { detail: `the spec nests deeper than ${MAX_SPEC_DEPTH} levels` }));
      this.aborted = this.fatal = true;
      return null;
    }
    if (isSeq(node)) {
      this.open.add(node);
      const items = node.items.map((item, i) => this.walk(item as YamlNode | null, childPointer(pointer, i), undefined));
      this.open.delete(node);
      return items;
    }
    if (isMap(node)) {
      this.open.add(node);
      const out: Record<string, unknown> = {};
      const firstSeen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const name = this.keyName(keyNode, pair.value as YamlNode | null);
        if (name === undefined) continue;
        const keyAt = nodeRange(keyNode) ?? range;
        const first = firstSeen.get(name);
        if (first !== undefined) {
          this.diagnostics.push(
            diagnosticAt(this.source, keyAt, "MCC101", { key: name, line: positionAt(this.source, first).line }),
          );
          continue;
        }
        firstSeen.set(name, keyAt.start);
        const child = this.walk(pair.value as YamlNode | null, childPointer(pointer, name), keyNode ?? undefined);
        Object.defineProperty(out, name, { value: child, enumerable: true, writable: true, configurable: true });
      }
      this.open.delete(node);
      return out;
    }
    this.unsupported(range, "this YAML node cannot appear in a spec");
    return null;
  }

  /** A value mcc cannot take as it stands; validation would only add misleading errors. */
  private unsupported(range: { start: number; end: number }, detail: string): void {
    this.fatal = true;
    this.diagnostics.push(diagnosticAt(this.source, range, "MCC105", { detail }));
  }

  /** Mapping keys are strings; a number or boolean key is taken as written (`8080: x`). */
  private keyName(key: YamlNode | null, value: YamlNode | null): string | undefined {
    if (key !== null && isScalar(key) && key.value !== null && typeof key.value !== "object") {
      return scalarSource(key) ?? String(key.value);
    }
    const at = nodeRange(key) ?? nodeRange(value) ?? { start: 0, end: 0 };
    this.unsupported(at, "a mapping key must be a plain name, not empty, a list or a mapping");
    return undefined;
  }
}

function nodeRange(node: YamlNode | null | undefined): { start: number; end: number } | undefined {
  const r = node?.range;
  if (r === undefined || r === null) return undefined;
  return { start: r[0], end: r[1] };
}

/** The scalar's text as written (without quotes for quoted scalars), when the parser kept it. */
function scalarSource(node: YamlNode): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.type === "PLAIN") {
    const src = node.srcToken;
    if (src !== undefined && "source" in src && typeof src.source === "string") return src.source;
  }
  return typeof node.value === "string" ? node.value : undefined;
}

function shortTag(tag: string): string {
  return tag.startsWith("tag:yaml.org,2002:") ? `!!${tag.slice("tag:yaml.org,2002:".length)}` : tag;
}
