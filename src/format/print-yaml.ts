import { Document, isScalar, visit } from "yaml";
import { BOOT_KEY_ORDER, NETWORK_KEY_ORDER, FILE_KEY_ORDER, FROM_KEY_ORDER, METADATA_KEY_ORDER, MOUNT_KEY_ORDER, orderedEntries, OUTPUT_KEY_ORDER, SPEC_KEY_ORDER, USER_KEY_ORDER } from "./spec-order.js";

/**
 * Writes a spec value as YAML, in the schema's key order, so that parseYamlSpec reads back
 * the same value: file modes that are numbers are written in octal (`0o644`), since a plain
 * `420` would be refused as an ambiguous decimal mode; strings that YAML would read as
 * something else are quoted by the yaml library. Pure.
 */
export interface PrintYamlOptions {
  /** Comment lines (without `#`) for the top of the file. */
  readonly header?: readonly string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function ordered(value: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of orderedEntries(value, order)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function orderedSpec(value: Record<string, unknown>): Record<string, unknown> {
  const out = ordered(value, SPEC_KEY_ORDER);
  const each = (v: unknown, order: readonly string[]) => (isRecord(v) ? ordered(v, order) : v);
  if (isRecord(out["from"])) out["from"] = each(out["from"], FROM_KEY_ORDER);
  if (isRecord(out["user"])) out["user"] = each(out["user"], USER_KEY_ORDER);
  if (isRecord(out["boot"])) {
    out["boot"] = each(out["boot"], BOOT_KEY_ORDER);
    const boot = out["boot"] as Record<string, unknown>;
    if (isRecord(boot["network"])) boot["network"] = each(boot["network"], NETWORK_KEY_ORDER);
  }
  if (isRecord(out["metadata"])) out["metadata"] = each(out["metadata"], METADATA_KEY_ORDER);
  if (Array.isArray(out["mounts"])) out["mounts"] = out["mounts"].map((m) => each(m, MOUNT_KEY_ORDER));
  if (Array.isArray(out["files"])) out["files"] = out["files"].map((f) => each(f, FILE_KEY_ORDER));
  if (Array.isArray(out["output"])) out["output"] = out["output"].map((o) => each(o, OUTPUT_KEY_ORDER));
  else out["output"] = each(out["output"], OUTPUT_KEY_ORDER);
  if (out["output"] === undefined) delete out["output"];
  return out;
}

export function printYaml(value: Record<string, unknown>, options: PrintYamlOptions = {}): string {
  const doc = new Document(orderedSpec(value));
  const files = value["files"];
  if (Array.isArray(files)) {
    files.forEach((file, i) => {
      const node = doc.getIn(["files", i, "mode"], true);
      if (isScalar(node) && typeof node.value === "number") node.format = "OCT";
    });
  }
  // Short lists of plain values read best on one line, as the examples write them.
  visit(doc, {
    Seq(_, node) {
      const words = node.items.map((item) => (isScalar(item) ? String(item.value) : "\n"));
      const width = words.reduce((n: number, w) => n + w.length + 4, 0);
      if (words.every((w) => !w.includes("\n")) && width <= 60) node.flow = true;
    },
  });
  if (options.header !== undefined && options.header.length > 0) doc.commentBefore = options.header.join("\n");
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
