import type { CstNode, IToken } from "chevrotain";
import { diagnosticAt, type Diagnostic, type Range } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { positionAt, type SourceText } from "../types/source-text.js";
import { childPointer, type NodeLocation } from "../types/ast.js";
import { collectTokens, endOf, isUsable, keywordIn, nodeOf, nodesOf, tokenOf, tokensOf } from "./dsl-cst.js";
import { STATEMENT_HINT } from "./dsl-errors.js";
import { BODY_KEYWORDS, BOOT_KEYWORDS, FROM_KEYWORDS, METADATA_KEYWORDS, NETWORK_KEYWORDS, unknownKeywordSuggestion, USER_KEYWORDS } from "./dsl-keywords.js";
import { QuotedString, UnclosedString } from "./dsl-lexer.js";
import { numberOf, unquote } from "./dsl-strings.js";

/**
 * The visitor: walks the parser's concrete syntax tree and builds the same value a YAML spec
 * parses to, with the location of every node under its JSON Pointer, so validation and its
 * diagnostics are shared with the YAML front end. It is defensive: after a syntax error the
 * tree may be partial, and the walk still reports what it can (unknown keywords, repeats).
 */

/** How a bare word is read: as a string, or as a number or boolean where the schema takes one. */
type ValueKind = "string" | "number" | "boolean";

/** Where a statement or list item starts, for `mcc fmt` to keep comments beside it. */
export interface DslAnchor {
  readonly pointer: string;
  readonly start: number;
}

/** The spec's value with the location of each node, and what the walk had to report. */
export interface VisitResult {
  readonly value: Record<string, unknown>;
  readonly locations: Map<string, NodeLocation>;
  readonly anchors: DslAnchor[];
  readonly diagnostics: Diagnostic[];
  /** Set when a value could not be read (an unclosed string, a bad escape). */
  readonly fatal: boolean;
}

export function visitDsl(source: SourceText, cst: CstNode): VisitResult {
  return new Builder(source).spec(cst);
}

class Builder {
  readonly value: Record<string, unknown> = {};
  readonly locations = new Map<string, NodeLocation>();
  readonly anchors: DslAnchor[] = [];
  readonly diagnostics: Diagnostic[] = [];
  fatal = false;
  /** Where each single-valued setting was first given (pointer -> key offset). */
  private readonly given = new Map<string, number>();
  private readonly outputs: { item: CstNode; keyword: IToken | undefined }[] = [];
  private outputListForm = false;
  private outputBracket: Range | undefined;
  private outputKeyword: IToken | undefined;

  constructor(private readonly source: SourceText) {}

  spec(cst: CstNode): VisitResult {
    const image = nodeOf(cst, "image");
    const keyword = tokenOf(image, "KwImage");
    const body = nodeOf(image, "body");
    const close = tokenOf(body, "RBrace");
    if (isUsable(keyword)) {
      this.anchor("", keyword.startOffset);
      this.locations.set("", { start: keyword.startOffset, end: isUsable(close) ? endOf(close) : endOf(keyword) });
    }
    this.imageRef(tokenOf(image, "Value"), keyword);
    for (const statement of nodesOf(body, "statement")) this.statement(statement);
    this.finishOutputs();
    return { value: this.value, locations: this.locations, anchors: this.anchors, diagnostics: this.diagnostics, fatal: this.fatal };
  }

  /** `image NAME[:TAG]`: the name and tag are the word's parts around its first `:`. */
  private imageRef(token: IToken | undefined, keyword: IToken | undefined): void {
    if (!isUsable(token)) return;
    const text = this.read(token, "string");
    if (typeof text !== "string") return;
    const colon = text.indexOf(":");
    const name = colon === -1 ? text : text.slice(0, colon);
    const inner = token.tokenType === QuotedString ? 1 : 0;
    const key = isUsable(keyword) ? { keyStart: keyword.startOffset, keyEnd: endOf(keyword) } : {};
    const start = token.startOffset + inner;
    this.set(this.value, "name", name, "/name", { start, end: colon === -1 ? endOf(token) - inner : start + colon, ...key });
    if (colon !== -1) this.set(this.value, "tag", text.slice(colon + 1), "/tag", { start: start + colon + 1, end: endOf(token) - inner, ...key });
  }

  private statement(node: CstNode): void {
    const [kind, child] = Object.entries(node.children)[0] ?? [];
    const inner = (child?.[0] ?? undefined) as CstNode | undefined;
    if (inner === undefined) return;
    const keyword = keywordIn(inner);
    if (isUsable(keyword) && kind !== "mapStatement") {
      const pointer = kind === "outputStatement" ? (this.outputs.length === 0 ? "/output" : `/output/${this.outputs.length}`) : statementPointer(kind, keyword.image, this.value);
      this.anchor(pointer, keyword.startOffset);
    }
    switch (kind) {
      case "scalarStatement":
        return this.scalar(this.value, "", inner, keyword, keyword?.image === "version" ? "number" : "string");
      case "listStatement":
        return this.list(this.value, "", keyword, nodeOf(inner, "valueList"), keyword?.image === "ports" ? "number" : "string");
      case "fromStatement":
        return this.from(inner, keyword);
      case "userStatement":
        return this.user(inner, keyword);
      case "mapStatement":
        return this.map(inner, keyword);
      case "mountStatement":
        return this.items(inner, keyword, "mountItem", "mounts", (item, pointer) => this.mount(item, pointer));
      case "fileStatement":
        return this.items(inner, keyword, "fileItem", "files", (item, pointer) => this.file(item, pointer));
      case "outputStatement": {
        const open = tokenOf(inner, "LBracket");
        const close = tokenOf(inner, "RBracket");
        const bracket = open !== undefined;
        if (bracket) this.outputListForm = true;
        if (isUsable(open) && isUsable(close) && this.outputs.length === 0 && isUsable(keyword)) {
          this.outputBracket = { start: open.startOffset, end: endOf(close) };
          this.outputKeyword = keyword;
        }
        for (const item of nodesOf(inner, "outputItem")) {
          const first = tokenOf(item, "Value");
          if (bracket && isUsable(first)) this.anchor(`/output/${this.outputs.length}`, first.startOffset);
          this.outputs.push({ item, keyword });
        }
        return;
      }
      case "bootStatement":
        return this.section(inner, keyword, "bootBlock", "bootField", BOOT_KEYWORDS, () => "string");
      case "metadataStatement":
        return this.section(inner, keyword, "metadataBlock", "metadataField", METADATA_KEYWORDS, () => "boolean");
      case "unknownStatement":
        return this.unknown(inner, BODY_KEYWORDS);
    }
  }

  /** `KEYWORD VALUE` for a setting that takes one value. */
  private scalar(target: Record<string, unknown>, parent: string, node: CstNode, keyword: IToken | undefined, kind: ValueKind): void {
    const token = tokenOf(node, "Value");
    if (!isUsable(keyword) || !isUsable(token)) return;
    const pointer = childPointer(parent, keyword.image);
    if (this.repeated(pointer, keyword, `\`${keyword.image}\``)) return;
    const value = this.read(token, kind);
    this.set(target, keyword.image, value, pointer, this.range(token, keyword, value));
  }

  /** A list statement: values to the end of the line or a bracketed list; repeats add up. */
  private list(target: Record<string, unknown>, parent: string, keyword: IToken | undefined, valueList: CstNode | undefined, kind: ValueKind): void {
    if (!isUsable(keyword) || valueList === undefined) return;
    const pointer = childPointer(parent, keyword.image);
    const values = tokensOf(valueList, "Value").filter(isUsable);
    const open = tokenOf(valueList, "LBracket");
    const close = tokenOf(valueList, "RBracket");
    let list = target[keyword.image];
    if (!Array.isArray(list)) {
      list = [];
      const first = isUsable(open) ? open : values[0];
      const last = isUsable(close) ? close : values[values.length - 1];
      const range = first !== undefined && last !== undefined ? { start: first.startOffset, end: endOf(last) } : { start: endOf(keyword), end: endOf(keyword) };
      this.set(target, keyword.image, list, pointer, { ...range, keyStart: keyword.startOffset, keyEnd: endOf(keyword) });
    }
    const items = list as unknown[];
    for (const token of values) {
      const itemPointer = childPointer(pointer, items.length);
      if (isUsable(open)) this.anchor(itemPointer, token.startOffset);
      const value = this.read(token, kind);
      this.locations.set(itemPointer, this.range(token, undefined, value));
      items.push(value);
    }
  }

  private from(node: CstNode, keyword: IToken | undefined): void {
    if (!isUsable(keyword) || this.repeated("/from", keyword, "`from`")) return;
    const key = { keyStart: keyword.startOffset, keyEnd: endOf(keyword) };
    const short = tokenOf(node, "Value");
    const from: Record<string, unknown> = {};
    if (isUsable(short)) {
      // `from bookworm` is the release; `from debian/bookworm` the distro and release.
      const text = this.read(short, "string");
      this.set(this.value, "from", from, "/from", { start: short.startOffset, end: endOf(short), ...key });
      if (typeof text !== "string") return;
      const inner = short.tokenType === QuotedString ? 1 : 0;
      const start = short.startOffset + inner;
      const slash = text.indexOf("/");
      if (slash !== -1) this.set(from, "distro", text.slice(0, slash), "/from/distro", { start, end: start + slash, ...key });
      this.set(from, "release", text.slice(slash + 1), "/from/release", { start: start + slash + 1, end: endOf(short) - inner, ...key });
      return;
    }
    const block = nodeOf(node, "fromBlock");
    this.set(this.value, "from", from, "/from", { ...this.blockRange(block, keyword), ...key });
    for (const field of nodesOf(block, "fromField")) {
      const unknown = nodeOf(field, "unknownStatement");
      if (unknown !== undefined) {
        this.unknown(unknown, FROM_KEYWORDS);
        continue;
      }
      const fieldKeyword = keywordIn(field);
      if (!isUsable(fieldKeyword)) continue;
      this.anchor(childPointer("/from", fieldKeyword.image), fieldKeyword.startOffset);
      const valueList = nodeOf(field, "valueList");
      if (valueList !== undefined) this.list(from, "/from", fieldKeyword, valueList, "string");
      else this.scalar(from, "/from", field, fieldKeyword, fieldKeyword.image === "infer" ? "boolean" : "string");
    }
  }

  private user(node: CstNode, keyword: IToken | undefined): void {
    if (!isUsable(keyword) || this.repeated("/user", keyword, "`user`")) return;
    const token = tokenOf(node, "Value");
    if (isUsable(token)) {
      const value = this.read(token, "number");
      this.set(this.value, "user", value, "/user", this.range(token, keyword, value));
      return;
    }
    const block = nodeOf(node, "userBlock");
    const user: Record<string, unknown> = {};
    this.set(this.value, "user", user, "/user", { ...this.blockRange(block, keyword), keyStart: keyword.startOffset, keyEnd: endOf(keyword) });
    for (const field of nodesOf(block, "userField")) {
      const unknown = nodeOf(field, "unknownStatement");
      if (unknown !== undefined) {
        this.unknown(unknown, USER_KEYWORDS);
        continue;
      }
      const fieldKeyword = keywordIn(field);
      if (!isUsable(fieldKeyword)) continue;
      this.anchor(childPointer("/user", fieldKeyword.image), fieldKeyword.startOffset);
      this.scalar(user, "/user", field, fieldKeyword, fieldKeyword.image === "name" ? "string" : "number");
    }
  }

  /** A section written only as a block of `KEY VALUE` statements: `boot { ... }`, `metadata { ... }`. */
  private section(node: CstNode, keyword: IToken | undefined, blockRule: string, fieldRule: string, keywords: readonly string[], kind: (key: string) => ValueKind): void {
    if (!isUsable(keyword)) return;
    const pointer = `/${keyword.image}`;
    if (this.repeated(pointer, keyword, `\`${keyword.image}\``)) return;
    const block = nodeOf(node, blockRule);
    const out: Record<string, unknown> = {};
    this.set(this.value, keyword.image, out, pointer, { ...this.blockRange(block, keyword), keyStart: keyword.startOffset, keyEnd: endOf(keyword) });
    for (const field of nodesOf(block, fieldRule)) {
      const unknown = nodeOf(field, "unknownStatement");
      if (unknown !== undefined) {
        this.unknown(unknown, keywords);
        continue;
      }
      const fieldKeyword = keywordIn(field);
      if (!isUsable(fieldKeyword)) continue;
      this.anchor(childPointer(pointer, fieldKeyword.image), fieldKeyword.startOffset);
      const nested = nodeOf(field, "networkBlock");
      const valueList = nodeOf(field, "valueList");
      if (nested !== undefined) this.network(out, pointer, fieldKeyword, nested);
      else if (valueList !== undefined) this.list(out, pointer, fieldKeyword, valueList, "string");
      else this.scalar(out, pointer, field, fieldKeyword, kind(fieldKeyword.image));
    }
  }

  /** `network { address ...; gateway ...; dns ...; interface ... }` in `boot`. */
  private network(boot: Record<string, unknown>, parent: string, keyword: IToken, block: CstNode): void {
    const pointer = childPointer(parent, keyword.image);
    if (this.repeated(pointer, keyword, `\`${keyword.image}\``)) return;
    const network: Record<string, unknown> = {};
    this.set(boot, keyword.image, network, pointer, { ...this.blockRange(block, keyword), keyStart: keyword.startOffset, keyEnd: endOf(keyword) });
    for (const field of nodesOf(block, "networkField")) {
      const unknown = nodeOf(field, "unknownStatement");
      if (unknown !== undefined) {
        this.unknown(unknown, NETWORK_KEYWORDS);
        continue;
      }
      const fieldKeyword = keywordIn(field);
      if (!isUsable(fieldKeyword)) continue;
      this.anchor(childPointer(pointer, fieldKeyword.image), fieldKeyword.startOffset);
      const valueList = nodeOf(field, "valueList");
      if (valueList !== undefined) this.list(network, pointer, fieldKeyword, valueList, "string");
      else this.scalar(network, pointer, field, fieldKeyword, "string");
    }
  }

  /** `env NAME = VALUE` and `label KEY = VALUE`, one entry or a block of them. */
  private map(node: CstNode, keyword: IToken | undefined): void {
    if (!isUsable(keyword)) return;
    const field = keyword.image === "env" ? "env" : "labels";
    const pointer = `/${field}`;
    const block = nodeOf(node, "mapBlock");
    const entries = block === undefined ? nodesOf(node, "mapEntry") : nodesOf(block, "mapEntry");
    let map = this.value[field] as Record<string, unknown> | undefined;
    if (map === undefined) {
      map = {};
      const range = block !== undefined ? this.blockRange(block, keyword) : this.entryRange(entries[0], keyword);
      if (block !== undefined) this.anchor(pointer, keyword.startOffset);
      this.set(this.value, field, map, pointer, { ...range, keyStart: keyword.startOffset, keyEnd: endOf(keyword) });
    }
    for (const entry of entries) {
      const [nameToken, valueToken] = tokensOf(entry, "Value");
      if (!isUsable(nameToken) || !isUsable(valueToken)) continue;
      const name = this.read(nameToken, "string");
      if (typeof name !== "string") continue;
      const entryPointer = childPointer(pointer, name);
      this.anchor(entryPointer, block !== undefined ? nameToken.startOffset : keyword.startOffset);
      const what = field === "env" ? `the variable \`${name}\` of \`env\`` : `the label \`${name}\``;
      if (this.repeated(entryPointer, nameToken, what)) continue;
      const value = this.read(valueToken, "string");
      this.set(map, name, value, entryPointer, { start: valueToken.startOffset, end: endOf(valueToken), keyStart: nameToken.startOffset, keyEnd: endOf(nameToken) });
    }
  }

  /** Item statements (`mount`, `file`): one item, or a bracketed list; repeats add up. */
  private items(node: CstNode, keyword: IToken | undefined, rule: string, field: string, item: (item: CstNode, pointer: string) => Record<string, unknown>): void {
    if (!isUsable(keyword)) return;
    const pointer = `/${field}`;
    const open = tokenOf(node, "LBracket");
    const items = nodesOf(node, rule);
    let list = this.value[field] as unknown[] | undefined;
    if (list === undefined) {
      list = [];
      const close = tokenOf(node, "RBracket");
      const range = isUsable(open) && isUsable(close) ? { start: open.startOffset, end: endOf(close) } : this.nodeRange(items[0], keyword);
      this.set(this.value, field, list, pointer, { ...range, keyStart: keyword.startOffset, keyEnd: endOf(keyword) });
    }
    for (const child of items) {
      const itemPointer = childPointer(pointer, list.length);
      const first = tokenOf(child, "Value");
      if (isUsable(open) && isUsable(first)) this.anchor(itemPointer, first.startOffset);
      this.locations.set(itemPointer, this.nodeRange(child, keyword));
      list.push(item(child, itemPointer));
    }
  }

  private mount(node: CstNode, pointer: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const [path, type] = tokensOf(node, "Value");
    if (isUsable(path)) this.set(out, "path", this.read(path, "string"), childPointer(pointer, "path"), this.range(path, undefined, undefined));
    if (isUsable(type)) this.set(out, "type", this.read(type, "string"), childPointer(pointer, "type"), this.range(type, undefined, undefined));
    return out;
  }

  private file(node: CstNode, pointer: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const path = tokenOf(node, "Value");
    if (isUsable(path)) this.set(out, "path", this.read(path, "string"), childPointer(pointer, "path"), this.range(path, undefined, undefined));
    for (const field of nodesOf(node, "fileField")) {
      const keyword = keywordIn(field);
      const token = tokenOf(field, "Value");
      if (!isUsable(keyword) || !isUsable(token)) continue;
      if (keyword.image === "exclude") {
        // Each `exclude` adds one pattern to the file's list.
        const listPointer = childPointer(pointer, "exclude");
        const list = (out["exclude"] ??= []) as unknown[];
        if (list.length === 0) this.locations.set(listPointer, this.range(token, keyword, undefined));
        const value = this.read(token, "string");
        this.set(list as unknown as Record<string, unknown>, String(list.length), value, childPointer(listPointer, list.length), this.range(token, undefined, undefined));
        continue;
      }
      const fieldPointer = childPointer(pointer, keyword.image);
      if (this.repeated(fieldPointer, keyword, `\`${keyword.image}\` of one file`)) continue;
      const value = this.read(token, keyword.image === "mode" ? "number" : keyword.image === "unpack" ? "boolean" : "string");
      this.set(out, keyword.image, value, fieldPointer, this.range(token, keyword, value));
    }
    return out;
  }

  /** One `output` statement holding one item is the single form; anything else is a list. */
  private finishOutputs(): void {
    if (this.outputs.length === 0) {
      // `output []`: an empty list, which the schema refuses with its own message.
      const keyword = this.outputKeyword;
      if (this.outputBracket !== undefined && isUsable(keyword)) {
        this.set(this.value, "output", [], "/output", { ...this.outputBracket, keyStart: keyword.startOffset, keyEnd: endOf(keyword) });
      }
      return;
    }
    const single = this.outputs.length === 1 && !this.outputListForm;
    const firstKeyword = this.outputs[0]?.keyword;
    const key = isUsable(firstKeyword) ? { keyStart: firstKeyword.startOffset, keyEnd: endOf(firstKeyword) } : {};
    const build = (node: CstNode, pointer: string): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      const [format, path] = tokensOf(node, "Value");
      if (isUsable(format)) this.set(out, "format", this.read(format, "string"), childPointer(pointer, "format"), this.range(format, undefined, undefined));
      if (isUsable(path)) this.set(out, "path", this.read(path, "string"), childPointer(pointer, "path"), this.range(path, undefined, undefined));
      return out;
    };
    const first = this.outputs[0] as { item: CstNode; keyword: IToken | undefined };
    if (single) {
      this.set(this.value, "output", build(first.item, "/output"), "/output", { ...this.nodeRange(first.item, first.keyword), ...key });
      return;
    }
    const list: unknown[] = [];
    this.set(this.value, "output", list, "/output", { ...this.nodeRange(first.item, first.keyword), ...key });
    for (const [i, { item, keyword }] of this.outputs.entries()) {
      const pointer = childPointer("/output", i);
      this.locations.set(pointer, this.nodeRange(item, keyword));
      list.push(build(item, pointer));
    }
  }

  private unknown(node: CstNode, keywords: readonly string[]): void {
    const word = tokenOf(node, "Bare");
    if (!isUsable(word)) return;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(word.image)) {
      // Not even keyword-shaped: most likely a value that strayed onto a line of its own.
      this.report({ start: word.startOffset, end: endOf(word) }, "MCC123", { actual: `\`${word.image}\``, detail: "a statement starts with a keyword such as `packages`" }, STATEMENT_HINT);
      return;
    }
    const suggestion = unknownKeywordSuggestion(word.image, keywords);
    this.report({ start: word.startOffset, end: endOf(word) }, "MCC124", { word: word.image, suggestion });
  }

  /** Reads a value token: a quoted string, or a bare word (a number or boolean where the schema takes one). */
  private read(token: IToken, kind: ValueKind): unknown {
    if (token.tokenType === UnclosedString) {
      this.fatal = true;
      this.report({ start: token.startOffset, end: endOf(token) }, "MCC120", {});
      return token.image.slice(1);
    }
    if (token.tokenType === QuotedString) {
      const result = unquote(token.image);
      if ("value" in result) return result.value;
      this.fatal = true;
      const at = token.startOffset + result.offset;
      this.report({ start: at, end: at + result.badEscape.length }, "MCC121", { escape: result.badEscape });
      return token.image;
    }
    if (kind === "number") {
      const number = numberOf(token.image);
      if (number !== undefined) return number;
    }
    if (kind === "boolean" && (token.image === "true" || token.image === "false")) return token.image === "true";
    return token.image;
  }

  private range(token: IToken, keyword: IToken | undefined, value: unknown): NodeLocation {
    return {
      start: token.startOffset,
      end: endOf(token),
      ...(isUsable(keyword) ? { keyStart: keyword.startOffset, keyEnd: endOf(keyword) } : {}),
      ...(typeof value === "number" ? { raw: token.image } : {}),
    };
  }

  private blockRange(block: CstNode | undefined, keyword: IToken): Range {
    const open = tokenOf(block, "LBrace");
    const close = tokenOf(block, "RBrace");
    if (isUsable(open)) return { start: open.startOffset, end: isUsable(close) ? endOf(close) : endOf(open) };
    return { start: endOf(keyword), end: endOf(keyword) };
  }

  private entryRange(entry: CstNode | undefined, keyword: IToken): Range {
    const values = tokensOf(entry, "Value").filter(isUsable);
    const first = values[0];
    const last = values[values.length - 1];
    return first !== undefined && last !== undefined ? { start: first.startOffset, end: endOf(last) } : { start: endOf(keyword), end: endOf(keyword) };
  }

  /** From the first to the last token of an item. */
  private nodeRange(node: CstNode | undefined, keyword: IToken | undefined): Range {
    const all = collectTokens(node).filter(isUsable);
    const first = all[0];
    const last = all[all.length - 1];
    if (first !== undefined && last !== undefined) return { start: first.startOffset, end: endOf(last) };
    const at = isUsable(keyword) ? endOf(keyword) : 0;
    return { start: at, end: at };
  }

  /** Reports a second value for a single-valued setting; the first one stays. */
  private repeated(pointer: string, key: IToken, what: string): boolean {
    const first = this.given.get(pointer);
    if (first === undefined) {
      this.given.set(pointer, key.startOffset);
      return false;
    }
    this.report({ start: key.startOffset, end: endOf(key) }, "MCC125", { what, line: positionAt(this.source, first).line });
    return true;
  }

  private set(target: Record<string, unknown>, key: string, value: unknown, pointer: string, location: NodeLocation): void {
    // defineProperty, so a key such as `__proto__` is data like any other.
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    this.locations.set(pointer, location);
  }

  private anchor(pointer: string, start: number): void {
    this.anchors.push({ pointer, start });
  }

  private report(range: Range, code: DiagnosticCode, args: Record<string, string | number>, hint?: string): void {
    this.diagnostics.push(diagnosticAt(this.source, range, code, args, hint));
  }
}

/** The pointer a statement's comments belong to (before the statement adds its value). */
function statementPointer(kind: string | undefined, keyword: string, value: Record<string, unknown>): string {
  switch (kind) {
    case "listStatement": {
      const list = value[keyword];
      return Array.isArray(list) ? childPointer(`/${keyword}`, list.length) : `/${keyword}`;
    }
    case "mountStatement":
    case "fileStatement": {
      const field = kind === "mountStatement" ? "mounts" : "files";
      const list = value[field];
      return Array.isArray(list) ? childPointer(`/${field}`, list.length) : `/${field}`;
    }
    case "outputStatement":
      return "/output";
    default:
      return `/${keyword}`;
  }
}
