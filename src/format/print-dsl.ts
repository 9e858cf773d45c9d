import { childPointer } from "../types/ast.js";
import { NUMBER_WORD, numberOf, quote, writeString } from "../parse/dsl-strings.js";
import { hasCommentsBelow, NO_COMMENTS, type AttachedComments } from "./comments.js";
import { BOOT_KEY_ORDER, FILE_KEY_ORDER, FROM_KEY_ORDER, METADATA_KEY_ORDER, NETWORK_KEY_ORDER, USER_KEY_ORDER } from "./spec-order.js";

/**
 * Writes a spec value in the canonical form of the DSL: the schema's key order, two-space
 * indents, one statement per line, lists inline up to a line width and bracketed (one item
 * per line) beyond it. Whatever it writes parses back to the same value. Pure.
 */
export interface PrintDslOptions {
  /** How a number was spelt in the source (`0644`, `0o644`), by pointer; kept when it reads back the same. */
  readonly raw?: (pointer: string) => string | undefined;
  readonly comments?: AttachedComments;
  /** Comment lines (without `#`) to put before the `image` line when there are no attached ones. */
  readonly header?: readonly string[];
}

const WIDTH = 100;
const INDENT = "  ";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function printDsl(value: Record<string, unknown>, options: PrintDslOptions = {}): string {
  return new DslPrinter(options).spec(value);
}

class DslPrinter {
  private readonly lines: string[] = [];
  private readonly comments: AttachedComments;
  private readonly printed = new Set<string>();

  constructor(private readonly options: PrintDslOptions) {
    this.comments = options.comments ?? NO_COMMENTS;
  }

  spec(value: Record<string, unknown>): string {
    if (this.comments.leading.get("") === undefined) for (const line of this.options.header ?? []) this.lines.push(`#${line}`);
    const ref = typeof value["tag"] === "string" ? `${String(value["name"])}:${value["tag"]}` : String(value["name"]);
    this.line(0, `image ${writeString(ref)} {`, [""]);
    const at = 1;
    if (value["version"] !== undefined) this.line(at, `version ${this.scalar(value["version"], "/version", true)}`, ["/version"]);
    if (value["from"] !== undefined) this.from(value["from"]);
    if (value["packages"] !== undefined) this.list(at, "packages", value["packages"], "/packages", false);
    if (value["executable"] !== undefined) this.line(at, `executable ${this.scalar(value["executable"], "/executable", false)}`, ["/executable"]);
    if (value["args"] !== undefined) this.list(at, "args", value["args"], "/args", false);
    if (value["env"] !== undefined) this.map("env", value["env"], "/env");
    if (value["user"] !== undefined) this.user(value["user"]);
    if (value["workdir"] !== undefined) this.line(at, `workdir ${this.scalar(value["workdir"], "/workdir", false)}`, ["/workdir"]);
    if (value["mounts"] !== undefined) this.items("mount", value["mounts"], "/mounts", (m, p) => this.mountItem(m, p));
    if (value["include"] !== undefined) this.list(at, "include", value["include"], "/include", false);
    if (value["exclude"] !== undefined) this.list(at, "exclude", value["exclude"], "/exclude", false);
    if (value["files"] !== undefined) this.items("file", value["files"], "/files", (f, p) => this.fileItem(f, p));
    if (value["layers"] !== undefined) this.line(at, `layers ${this.scalar(value["layers"], "/layers", false)}`, ["/layers"]);
    if (value["ports"] !== undefined) this.list(at, "ports", value["ports"], "/ports", true);
    if (value["labels"] !== undefined) this.map("label", value["labels"], "/labels");
    if (value["boot"] !== undefined) this.section("boot", value["boot"], BOOT_KEY_ORDER);
    if (value["metadata"] !== undefined) this.section("metadata", value["metadata"], METADATA_KEY_ORDER);
    if (value["output"] !== undefined) this.output(value["output"]);
    // Comments whose node was not printed on a line of its own are kept, at the block's end.
    for (const [pointer, texts] of this.comments.leading) if (!this.printed.has(pointer)) this.lines.push(...texts.filter((t) => t !== "").map((t) => INDENT + t));
    for (const [pointer, text] of this.comments.trailing) if (!this.printed.has(pointer)) this.lines.push(INDENT + text);
    this.lines.push(...this.comments.blockEnd.map((t) => INDENT + t));
    this.lines.push("}");
    this.lines.push(...this.comments.footer);
    return this.lines.join("\n") + "\n";
  }

  /** One line, with the comments of the given pointers before it and at its end. */
  private line(depth: number, text: string, pointers: readonly string[]): void {
    const pad = INDENT.repeat(depth);
    const previous = this.lines[this.lines.length - 1];
    if (previous !== undefined && previous !== "" && !/[{[]( #.*)?$/.test(previous) && pointers.some((p) => this.comments.blankBefore.has(p))) this.lines.push("");
    let tail = "";
    for (const pointer of pointers) {
      this.printed.add(pointer);
      for (const comment of this.comments.leading.get(pointer) ?? []) this.lines.push(comment === "" ? "" : pad + comment);
      const trailing = this.comments.trailing.get(pointer);
      if (trailing !== undefined) tail += ` ${trailing}`;
    }
    this.lines.push(pad + text + tail);
  }

  /** A scalar: strings bare when safe, numbers as they were spelt. */
  private scalar(value: unknown, pointer: string, numeric: boolean, mode = false): string {
    if (typeof value === "number") {
      const raw = this.options.raw?.(pointer);
      if (raw !== undefined && NUMBER_WORD.test(raw) && numberOf(raw) === value) return raw;
      if (mode && Number.isInteger(value) && value >= 0) return `0${value.toString(8)}`;
      return String(value);
    }
    if (typeof value === "boolean") return String(value);
    // Where booleans are read (metadata), the strings "true" and "false" need quotes.
    const quoteWords = pointer.startsWith("/metadata/") && (value === "true" || value === "false");
    return quoteWords ? quote(value as string) : writeString(typeof value === "string" ? value : String(JSON.stringify(value) ?? ""), numeric);
  }

  /** `KEYWORD a b c`, or `KEYWORD [` with one item per line when long or commented. */
  private list(depth: number, keyword: string, value: unknown, pointer: string, numeric: boolean): void {
    const items = Array.isArray(value) ? value : [value];
    const words = items.map((item, i) => this.scalar(item, childPointer(pointer, i), numeric));
    if (items.length === 0) return this.line(depth, `${keyword} []`, [pointer]);
    const inline = `${INDENT.repeat(depth)}${keyword} ${words.join(" ")}`;
    if (inline.length <= WIDTH && !hasCommentsBelow(this.comments, pointer)) return this.line(depth, inline.trimStart(), [pointer]);
    this.line(depth, `${keyword} [`, [pointer]);
    words.forEach((word, i) => this.line(depth + 1, word, [childPointer(pointer, i)]));
    this.line(depth, "]", []);
  }

  private from(value: unknown): void {
    const from = isRecord(value) ? value : {};
    const keys = Object.keys(from);
    const release = from["release"];
    const distro = from["distro"];
    const plain = (v: unknown) => typeof v === "string" && v !== "" && !v.includes("/");
    const short =
      !hasCommentsBelow(this.comments, "/from") &&
      typeof release === "string" &&
      ((keys.length === 1 && plain(release)) || (keys.length === 2 && plain(distro) && release !== ""));
    if (short) return this.line(1, `from ${writeString(distro === undefined ? release : `${String(distro)}/${release}`)}`, ["/from", "/from/release"]);
    if (keys.length === 0) return this.line(1, "from {}", ["/from"]);
    this.line(1, "from {", ["/from"]);
    for (const key of FROM_KEY_ORDER) {
      if (from[key] === undefined) continue;
      const pointer = childPointer("/from", key);
      if (key === "archs" || key === "components") this.list(2, key, from[key], pointer, false);
      else this.line(2, `${key} ${this.scalar(from[key], pointer, false)}`, [pointer]);
    }
    this.line(1, "}", []);
  }

  private user(value: unknown): void {
    if (!isRecord(value)) return this.line(1, `user ${this.scalar(value, "/user", true)}`, ["/user"]);
    if (Object.keys(value).length === 0) return this.line(1, "user {}", ["/user"]);
    this.line(1, "user {", ["/user"]);
    for (const key of USER_KEY_ORDER) {
      if (value[key] === undefined) continue;
      const pointer = childPointer("/user", key);
      this.line(2, `${key} ${this.scalar(value[key], pointer, key !== "name")}`, [pointer]);
    }
    this.line(1, "}", []);
  }

  /** A block-only section, one `KEY VALUE` statement per key. */
  private section(keyword: string, value: unknown, order: readonly string[]): void {
    const pointer = `/${keyword}`;
    const fields = isRecord(value) ? value : {};
    if (Object.keys(fields).length === 0) return this.line(1, `${keyword} {}`, [pointer]);
    this.line(1, `${keyword} {`, [pointer]);
    for (const key of order) {
      if (fields[key] === undefined) continue;
      const p = childPointer(pointer, key);
      if (key === "network" && isRecord(fields[key])) this.network(fields[key], p);
      else if (Array.isArray(fields[key])) this.list(2, key, fields[key], p, false);
      else this.line(2, `${key} ${this.scalar(fields[key], p, false)}`, [p]);
    }
    this.line(1, "}", []);
  }

  /** `network { address ...; gateway ...; dns ...; interface ... }`, inside `boot`. */
  private network(value: Record<string, unknown>, pointer: string): void {
    if (Object.keys(value).length === 0) return this.line(2, "network {}", [pointer]);
    this.line(2, "network {", [pointer]);
    for (const key of NETWORK_KEY_ORDER) {
      if (value[key] === undefined) continue;
      const p = childPointer(pointer, key);
      if (key === "dns") this.list(3, key, value[key], p, false);
      else this.line(3, `${key} ${this.scalar(value[key], p, false)}`, [p]);
    }
    this.line(2, "}", []);
  }

  /** `env NAME = VALUE` per entry; `env {}` for an empty mapping. */
  private map(keyword: string, value: unknown, pointer: string): void {
    const entries = isRecord(value) ? Object.entries(value) : [];
    if (entries.length === 0) return this.line(1, `${keyword} {}`, [pointer]);
    entries.forEach(([name, v], i) => {
      const entry = childPointer(pointer, name);
      this.line(1, `${keyword} ${writeString(name)} = ${this.scalar(v, entry, false)}`, i === 0 ? [pointer, entry] : [entry]);
    });
  }

  /** Item statements (`mount`, `file`): one per item; `mount []` for an empty list. */
  private items(keyword: string, value: unknown, pointer: string, item: (v: Record<string, unknown>, p: string) => string): void {
    const list = Array.isArray(value) ? value : [];
    if (list.length === 0) return this.line(1, `${keyword} []`, [pointer]);
    list.forEach((v, i) => {
      const p = childPointer(pointer, i);
      this.line(1, `${keyword} ${item(isRecord(v) ? v : {}, p)}`, i === 0 ? [pointer, p] : [p]);
    });
  }

  private mountItem(mount: Record<string, unknown>, pointer: string): string {
    return `${this.scalar(mount["path"], `${pointer}/path`, false)} ${this.scalar(mount["type"], `${pointer}/type`, false)}`;
  }

  private fileItem(file: Record<string, unknown>, pointer: string): string {
    const parts = [this.scalar(file["path"], `${pointer}/path`, false)];
    for (const key of FILE_KEY_ORDER.slice(1)) {
      const value = file[key];
      if (value === undefined) continue;
      // `exclude` once per pattern: `exclude .git exclude "*.pyc"`.
      if (key === "exclude" && Array.isArray(value)) value.forEach((v, i) => parts.push(key, this.scalar(v, `${pointer}/${key}/${i}`, false)));
      else parts.push(key, this.scalar(value, `${pointer}/${key}`, key === "mode", key === "mode"));
    }
    return parts.join(" ");
  }

  private outputItem(output: Record<string, unknown>, pointer: string): string {
    const format = this.scalar(output["format"], `${pointer}/format`, false);
    return output["path"] === undefined ? format : `${format} ${this.scalar(output["path"], `${pointer}/path`, false)}`;
  }

  /** One `output` for the single form; one per item for a list; brackets for a list of one. */
  private output(value: unknown): void {
    if (isRecord(value)) return this.line(1, `output ${this.outputItem(value, "/output")}`, ["/output"]);
    const list = Array.isArray(value) ? value : [];
    if (list.length === 1) {
      this.line(1, "output [", ["/output"]);
      this.line(2, this.outputItem(isRecord(list[0]) ? list[0] : {}, "/output/0"), ["/output/0"]);
      return this.line(1, "]", []);
    }
    this.items("output", list, "/output", (o, p) => this.outputItem(o, p));
  }
}
