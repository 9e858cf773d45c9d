import { EOF, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import type { SourceText } from "../types/source-text.js";
import { Equals, KEYWORDS, LBrace, LBracket, RBrace, RBracket, Sep, Value } from "./dsl-lexer.js";

/**
 * Chevrotain's syntax errors, turned into the messages a person understands ("expected a
 * path after `mount`"), never a token dump. The provider below runs inside the parser, which
 * only accepts a string, so it returns the diagnostic's code and arguments as JSON;
 * `syntaxDiagnostic` decodes it into a Diagnostic at the offending token.
 */
interface Payload {
  readonly code: DiagnosticCode;
  readonly args: Record<string, string>;
  readonly hint?: string;
}

export const STATEMENT_HINT = "quote values that hold spaces or any of `\"{}[];`, and keep each value on its statement's line";

const BRACE_HINT = "a block's `{` goes on the line of its keyword: `image curl {`, `from {`";
/** The rules whose statement may open a block. */
const BLOCK_RULES = new Set(["fromStatement", "userStatement", "mapStatement", "bootStatement", "metadataStatement"]);

const keywordOf = new Map<TokenType, string>(Object.entries(KEYWORDS).map(([name, type]) => [type, name]));

/** What comes after each keyword, as a person names it. */
const AFTER_KEYWORD: Record<string, string> = {
  image: "the image name (`image curl` or `image curl:latest`)",
  version: "the format version (`1`)",
  executable: "the executable's absolute path",
  workdir: "an absolute path",
  packages: "a package name",
  args: "an argument",
  include: "a glob",
  exclude: "a glob",
  ports: "a port such as `8080/tcp`",
  from: "a release (`from bookworm`) or `{`",
  distro: "a distribution (`debian`)",
  release: "a release such as `bookworm`",
  mirror: "a mirror URL",
  keyring: "a keyring file",
  archs: "an architecture (`amd64`, `arm64`)",
  components: "a component such as `main`",
  user: "a user (`nonroot`, `65532`, `1000:1000`) or `{`",
  name: "a user name",
  uid: "a numeric user id",
  gid: "a numeric group id",
  env: "`NAME = VALUE` or `{`",
  label: "`KEY = VALUE` or `{`",
  mount: "a path",
  file: "a path",
  source: "a file next to the spec",
  content: "the file's content (a quoted string)",
  mode: "a mode such as `0644`",
  kernel: "a kernel package such as `linux-image-cloud-amd64`",
  cmdline: "the extra kernel command line (a quoted string)",
  console: "a console device such as `ttyS0`",
  onExit: "`poweroff`, `restart` or `reboot`",
  network: "`dhcp`, `none`, or a block: `network { address 10.0.2.15/24; gateway 10.0.2.2; dns 10.0.2.3 }`",
  address: "an IPv4 address with its prefix length, such as `10.0.2.15/24`",
  gateway: "an IPv4 address such as `10.0.2.2`",
  dns: "IPv4 addresses such as `10.0.2.3`",
  interface: "a network card's kernel name such as `eth0`",
  modules: "kernel module names such as `wireguard vfat`",
  sbom: "`true` or `false`",
  provenance: "`true` or `false`",
  dpkgStatus: "`true` or `false`",
  boot: "`{`",
  metadata: "`{`",
  output: "an output format (`oci`, `oci-archive`, `docker-archive`, `rootfs`, `iso`, `kernel+initrd`)",
};

export function describeToken(token: IToken | undefined): string {
  if (token === undefined || token.tokenType === EOF) return "the end of the file";
  if (token.tokenType === Sep) return token.image === ";" ? "`;`" : token.image === "" ? "the end of the block" : "the end of the line";
  const image = token.image.length > 30 ? `${token.image.slice(0, 27)}...` : token.image;
  return `\`${image}\``;
}

/** What a rule expects for its next value, given the token before it. */
function expectedValue(ruleName: string, previous: IToken): string {
  const keyword = keywordOf.get(previous.tokenType);
  const afterValue = keyword === undefined || previous.tokenType === undefined;
  if (ruleName === "mountItem" && afterValue && previous.tokenType !== LBracket && previous.tokenType !== Sep) {
    return "a mount type (`volume`, `config` or `tmpfs`)";
  }
  if (ruleName === "outputItem" && afterValue) return "an output path";
  if (ruleName === "mapEntry" && previous.tokenType === Equals) return "a value";
  if (keyword !== undefined && AFTER_KEYWORD[keyword] !== undefined) return AFTER_KEYWORD[keyword] as string;
  return "a value";
}

function encode(payload: Payload): string {
  return JSON.stringify(payload);
}

function statementStart(actual: IToken): Payload {
  return {
    code: "MCC123",
    args: { actual: describeToken(actual), detail: "a statement starts with a keyword such as `packages`" },
    hint: STATEMENT_HINT,
  };
}

export const dslErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    const atEnd = actual.tokenType === EOF;
    if (expected === EOF) return encode({ code: "MCC128", args: { actual: describeToken(actual) } });
    if ((expected === RBrace || expected === RBracket) && atEnd) {
      return encode({ code: "MCC127", args: { bracket: expected === RBrace ? "`{`" : "`[`", closing: expected === RBrace ? "`}`" : "`]`" } });
    }
    if (expected === RBrace && ruleName !== "anything") return encode(statementStart(actual));
    if (expected === RBrace || expected === RBracket) {
      const [open, close, holds] = expected === RBrace ? ["{", "}", "a block holds statements"] : ["[", "]", "a list holds values"];
      return encode({ code: "MCC123", args: { actual: describeToken(actual), detail: `${holds}, and its \`${open}\` is closed by \`${close}\`` } });
    }
    if (expected === Sep) {
      return encode({
        code: "MCC123",
        args: { actual: describeToken(actual), detail: `the statement ends after ${describeToken(previous)}` },
        hint: "put each statement on its own line (or separate them with `;`), and quote values that hold spaces",
      });
    }
    if (expected === Equals) {
      const glued = previous.image.includes("=");
      return encode({
        code: "MCC122",
        args: { expected: "`=`", after: describeToken(previous) },
        ...(glued ? { hint: "write spaces around `=`: `env NAME = VALUE`" } : {}),
      });
    }
    if (expected === LBrace) return encode({ code: "MCC122", args: { expected: "`{`", after: describeToken(previous) }, ...(actual.tokenType === Sep ? { hint: BRACE_HINT } : {}) });
    if (expected === Value) return encode({ code: "MCC122", args: { expected: expectedValue(ruleName, previous), after: describeToken(previous) } });
    return encode({ code: "MCC122", args: { expected: `\`${expected.LABEL ?? expected.name}\``, after: describeToken(previous) } });
  },

  buildNotAllInputParsedMessage({ firstRedundant }) {
    return encode({ code: "MCC128", args: { actual: describeToken(firstRedundant) } });
  },

  buildNoViableAltMessage({ actual, previous, ruleName }) {
    const first = actual[0] as IToken;
    if (["statement", "fromField", "userField", "bootField", "metadataField", "anything"].includes(ruleName)) {
      return encode(statementStart(first));
    }
    // `from` on one line and its `{` on the next: say where the brace goes.
    const braceNext = first.tokenType === Sep && first.image !== "" && BLOCK_RULES.has(ruleName);
    return encode({ code: "MCC122", args: { expected: expectedValue(ruleName, previous), after: describeToken(previous) }, ...(braceNext ? { hint: BRACE_HINT } : {}) });
  },

  buildEarlyExitMessage({ actual, previous, ruleName }) {
    return encode({ code: "MCC122", args: { expected: expectedValue(ruleName, previous), after: describeToken(previous) } });
  },
};

/** One of the parser's errors as a diagnostic at its token. */
export function syntaxDiagnostic(source: SourceText, error: IRecognitionException): Diagnostic {
  const payload = JSON.parse(error.message) as Payload;
  return diagnosticAt(source, tokenRange(source, error.token), payload.code, payload.args, payload.hint);
}

/** The range of a token; the end of the file for EOF, one character for a line break. */
export function tokenRange(source: SourceText, token: IToken): { start: number; end: number } {
  if (token.tokenType === EOF || !Number.isFinite(token.startOffset)) return { start: source.text.length, end: source.text.length };
  const end = (token.endOffset ?? token.startOffset) + 1;
  return { start: token.startOffset, end: Math.max(end, token.startOffset + (token.image === "" ? 0 : 1)) };
}
