/**
 * What parsing and validating a spec gave, kept in the cache for the next build of the same
 * text by the same build of mcc. Both are pure functions of the text, its path (which the
 * diagnostics name) and the normalizing options, so a build that finds them skips the YAML
 * parser, the DSL's and the schema validator: not only their work but loading their code,
 * most of what a warm rebuild loads (docs/performance.md). The spec's files are checked on
 * every build all the same (they are not part of the text).
 *
 * Kept only for a spec without errors whose results survive JSON exactly; read back, an entry
 * of any other shape is ignored and the spec parsed again.
 */
import { createHash } from "node:crypto";
import { createBlobStore, type BlobStore } from "../cache/store.js";
import type { Host } from "../host/host.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { NodeLocation, SpecAst } from "../types/ast.js";
import type { SourceText } from "../types/source-text.js";
import type { Spec } from "../types/spec.js";
import type { NormalizeOptions } from "../validate/normalize.js";

/** Where a build keeps its memos, and the identity of the code that made them. */
export interface SpecMemo {
  readonly store: Pick<BlobStore, "readMeta" | "writeMeta">;
  /**
   * The identity of this build of mcc's code (src/build-id.ts): a memo made by other code is
   * never read.
   */
  readonly buildId: string;
}

/** The memo kept in the cache at `cacheRoot`, or none when there is no build identity to key it by. */
export function specMemoAt(host: Host, cacheRoot: string, buildId: string | undefined): SpecMemo | undefined {
  return buildId === undefined ? undefined : { store: createBlobStore(host, cacheRoot), buildId };
}

/** What is kept: the parse's value and locations, the validated spec, the warnings of both. */
export interface Memoized {
  readonly value: unknown;
  readonly locations: readonly (readonly [string, NodeLocation])[];
  readonly spec: Spec;
  readonly diagnostics: readonly Diagnostic[];
}

/** Bumped when what is kept changes shape. */
const FORMAT = 1;

/** The key of one spec text, as read at `path` and normalized with `options`. */
export function memoKey(memo: SpecMemo, path: string, options: NormalizeOptions, bytes: Uint8Array): string {
  const text = createHash("sha256").update(bytes).digest("hex");
  return JSON.stringify(["spec-memo", FORMAT, memo.buildId, path, options, text]);
}

/** The memo of a key as a parse and validation, or undefined when there is none usable. */
export async function readMemo(memo: SpecMemo, key: string, source: SourceText): Promise<{ readonly ast: SpecAst; readonly spec: Spec; readonly diagnostics: readonly Diagnostic[] } | undefined> {
  const kept = await memo.store.readMeta<{ key?: unknown; memo?: Partial<Memoized> }>(key);
  const found = kept?.key === key ? kept.memo : undefined;
  if (found === undefined || !Array.isArray(found.locations) || !Array.isArray(found.diagnostics) || typeof found.spec !== "object" || found.spec === null || !("value" in found)) return undefined;
  const locations = new Map<string, NodeLocation>();
  for (const entry of found.locations) {
    if (!Array.isArray(entry) || typeof entry[0] !== "string" || typeof entry[1] !== "object" || entry[1] === null) return undefined;
    locations.set(entry[0], entry[1]);
  }
  return { ast: { source, value: found.value, locations }, spec: found.spec, diagnostics: found.diagnostics };
}

/**
 * Keeps a parse and validation; one whose data JSON would change is not kept. A memo that cannot
 * be written is only a later build's loss: the build goes on (a cache that cannot be written
 * stops it where the cache is needed, with that step's error).
 */
export async function writeMemo(memo: SpecMemo, key: string, ast: SpecAst, spec: Spec, diagnostics: readonly Diagnostic[]): Promise<void> {
  const kept: Memoized = { value: ast.value, locations: [...ast.locations], spec, diagnostics };
  if (!survivesJson(kept)) return;
  await memo.store.writeMeta(key, { key, memo: kept }).catch(() => undefined);
}

/**
 * Whether JSON gives back exactly this value: plain objects and arrays of strings, booleans,
 * null and finite numbers (not -0), no property holding undefined. A YAML `.inf` or a field left
 * undefined would come back changed, so such a spec is parsed on every build instead.
 */
export function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  // Array.from turns a hole into undefined, which JSON would turn into null.
  if (Array.isArray(value)) return Array.from(value).every(survivesJson);
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((v) => v !== undefined && survivesJson(v));
}
