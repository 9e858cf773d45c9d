import { createToken, createTokenInstance, Lexer, type IToken, type TokenType } from "chevrotain";

/**
 * The tokens of the mcc DSL. Keywords are words: each one is also a value (a package may be
 * called `file`), so every keyword belongs to the `Bare` and `Value` categories, and a word
 * that merely starts like a keyword (`filesystem`) stays a `Word`.
 */

/** Any value: a bare word (keywords included) or a quoted string. */
export const Value = createToken({ name: "Value", pattern: Lexer.NA });
/** A bare word, keywords included: what may start a statement. */
export const Bare = createToken({ name: "Bare", pattern: Lexer.NA });

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[^\S\n]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });
/** Ends a statement: a line break or `;`. */
export const Sep = createToken({ name: "Sep", pattern: /\n|;/, line_breaks: true, label: "end of line" });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/, label: "{" });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/, label: "}" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "[" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "]" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "=" });
/** A double-quoted string on one line; `\` escapes (see dsl-strings.ts). */
export const QuotedString = createToken({ name: "QuotedString", pattern: /"(?:[^"\\\n]|\\[^\n])*"/, categories: [Value] });
/** A string whose closing quote is missing: kept as a token so the error names it plainly. */
export const UnclosedString = createToken({ name: "UnclosedString", pattern: /"(?:[^"\\\n]|\\[^\n])*\\?/, categories: [Value] });
/**
 * A bare word: anything up to white space or one of `"{}[];`. It may not start with `#`
 * (a comment) or `=`, but may hold them (`libc6=2.36-9`).
 */
export const Word = createToken({ name: "Word", pattern: /[^\s"#{}[\];=][^\s"{}[\];]*/, categories: [Bare, Value] });

/** The keywords, by their text. Order does not matter: each matches only as a whole word. */
export const KEYWORD_NAMES = [
  "image",
  "version",
  "from",
  "distro",
  "release",
  "archs",
  "mirror",
  "components",
  "keyring",
  "infer",
  "packages",
  "executable",
  "args",
  "env",
  "user",
  "name",
  "uid",
  "gid",
  "workdir",
  "layers",
  "mount",
  "include",
  "exclude",
  "file",
  "source",
  "content",
  "mode",
  "unpack",
  "ports",
  "label",
  "boot",
  "kernel",
  "cmdline",
  "console",
  "onExit",
  "network",
  "modules",
  "address",
  "gateway",
  "dns",
  "interface",
  "metadata",
  "sbom",
  "provenance",
  "dpkgStatus",
  "output",
] as const;
/** A keyword of the DSL. */
export type KeywordName = (typeof KEYWORD_NAMES)[number];

/** The token type of each keyword. */
export const KEYWORDS: Readonly<Record<KeywordName, TokenType>> = Object.fromEntries(
  KEYWORD_NAMES.map((name) => [
    name,
    createToken({
      name: `Kw${name[0]?.toUpperCase()}${name.slice(1)}`,
      pattern: new RegExp(name),
      longer_alt: Word,
      categories: [Bare, Value],
      label: `\`${name}\``,
    }),
  ]),
) as Record<KeywordName, TokenType>;

/** Every token type, in the order the lexer tries them (keywords before `Word`). */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  Sep,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Equals,
  QuotedString,
  UnclosedString,
  ...KEYWORD_NAMES.map((k) => KEYWORDS[k]),
  Word,
  Bare,
  Value,
];

const lexer = new Lexer(ALL_TOKENS, { positionTracking: "full", ensureOptimizations: false });

export interface LexedDsl {
  /** The tokens the parser reads, with a separator inserted before each `}` and `]`. */
  readonly tokens: IToken[];
  readonly comments: IToken[];
  /** Characters no token matches, as [offset, length]. */
  readonly errors: readonly { readonly offset: number; readonly length: number }[];
}

/**
 * Splits DSL text into tokens. A statement ends at a line break or `;`, and also just before
 * a closing `}` or `]` (as Go's semicolon rule has it), so `{ name www; uid 1000 }` needs no
 * `;` at its end: the lexer inserts an empty separator there, and the grammar stays simple.
 */
export function lexDsl(text: string): LexedDsl {
  const result = lexer.tokenize(text);
  const tokens: IToken[] = [];
  for (const token of result.tokens) {
    const closing = token.tokenType === RBrace || token.tokenType === RBracket;
    const previous = tokens[tokens.length - 1]?.tokenType;
    if (closing && previous !== undefined && previous !== Sep && previous !== LBrace && previous !== LBracket) {
      const at = token.startOffset;
      tokens.push(createTokenInstance(Sep, "", at, at - 1, token.startLine ?? 1, token.startLine ?? 1, token.startColumn ?? 1, token.startColumn ?? 1));
    }
    tokens.push(token);
  }
  return {
    tokens,
    comments: result.groups["comments"] ?? [],
    errors: result.errors.map((e) => ({ offset: e.offset, length: e.length })),
  };
}
