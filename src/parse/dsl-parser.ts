import { CstParser, type CstNode, type IToken } from "chevrotain";
import { dslErrorMessages } from "./dsl-errors.js";
import { ALL_TOKENS, Bare, Equals, KEYWORDS as K, LBrace, LBracket, RBrace, RBracket, Sep, Value } from "./dsl-lexer.js";

/**
 * The grammar of the mcc DSL, as a Chevrotain CstParser with no embedded actions: it only
 * recognises the text and builds a concrete syntax tree; dsl-visitor.ts turns that tree into
 * the spec model. grammar/README.md gives the same grammar as EBNF, and grammar/diagrams.html
 * is drawn from this class (a test keeps both in step).
 *
 * Every statement ends with a separator (a line break or `;`; the lexer adds one before each
 * `}` and `]`), so a value list runs to the end of its line and any keyword may be a value.
 */
export class DslParser extends CstParser {
  constructor() {
    super(ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: dslErrorMessages });
    this.performSelfAnalysis();
  }

  /** A file: one `image` block, with blank lines and comments around it. */
  spec = this.RULE("spec", () => {
    this.MANY(() => this.CONSUME(Sep));
    this.SUBRULE(this.image);
    this.MANY2(() => this.CONSUME2(Sep));
  });

  /** `image NAME[:TAG] { ... }` */
  image = this.RULE("image", () => {
    this.CONSUME(K.image);
    this.CONSUME(Value);
    this.SUBRULE(this.body);
  });

  body = this.RULE("body", () => {
    this.CONSUME(LBrace);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(Sep) },
        {
          ALT: () => {
            this.SUBRULE(this.statement);
            this.CONSUME2(Sep);
          },
        },
      ]),
    );
    this.CONSUME(RBrace);
  });

  // One token of lookahead: the keyword alone picks the statement, so a malformed `mount`
  // is reported as such rather than taken for an unknown statement.
  statement = this.RULE("statement", () => {
    this.OR({ MAX_LOOKAHEAD: 1, DEF: [
      { ALT: () => this.SUBRULE(this.scalarStatement) },
      { ALT: () => this.SUBRULE(this.listStatement) },
      { ALT: () => this.SUBRULE(this.fromStatement) },
      { ALT: () => this.SUBRULE(this.userStatement) },
      { ALT: () => this.SUBRULE(this.mapStatement) },
      { ALT: () => this.SUBRULE(this.mountStatement) },
      { ALT: () => this.SUBRULE(this.fileStatement) },
      { ALT: () => this.SUBRULE(this.outputStatement) },
      { ALT: () => this.SUBRULE(this.bootStatement) },
      { ALT: () => this.SUBRULE(this.metadataStatement) },
      { ALT: () => this.SUBRULE(this.unknownStatement), IGNORE_AMBIGUITIES: true },
    ] });
  });

  /** `version 1`, `executable /usr/bin/curl`, `workdir /write`, `layers one` */
  scalarStatement = this.RULE("scalarStatement", () => {
    this.OR([{ ALT: () => this.CONSUME(K.version) }, { ALT: () => this.CONSUME(K.executable) }, { ALT: () => this.CONSUME(K.workdir) }, { ALT: () => this.CONSUME(K.layers) }]);
    this.CONSUME(Value);
  });

  /** `packages curl ca-certificates`, `args ...`, `include ...`, `exclude ...`, `ports ...` */
  listStatement = this.RULE("listStatement", () => {
    this.OR([
      { ALT: () => this.CONSUME(K.packages) },
      { ALT: () => this.CONSUME(K.args) },
      { ALT: () => this.CONSUME(K.include) },
      { ALT: () => this.CONSUME(K.exclude) },
      { ALT: () => this.CONSUME(K.ports) },
    ]);
    this.SUBRULE(this.valueList);
  });

  /** Values to the end of the line, or a bracketed list that may span lines (`[]` is empty). */
  valueList = this.RULE("valueList", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.MANY(() => this.OR2([{ ALT: () => this.CONSUME(Sep) }, { ALT: () => this.CONSUME(Value) }]));
          this.CONSUME(RBracket);
        },
      },
      { ALT: () => this.AT_LEAST_ONE(() => this.CONSUME2(Value)) },
    ]);
  });

  /** `from bookworm`, `from debian/bookworm`, or `from { ... }` with every key of `from`. */
  fromStatement = this.RULE("fromStatement", () => {
    this.CONSUME(K.from);
    this.OR([{ ALT: () => this.CONSUME(Value) }, { ALT: () => this.SUBRULE(this.fromBlock) }]);
  });

  fromBlock = this.RULE("fromBlock", () => this.block(() => this.SUBRULE(this.fromField)));

  fromField = this.RULE("fromField", () => {
    this.OR({ MAX_LOOKAHEAD: 1, DEF: [
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(K.distro) },
            { ALT: () => this.CONSUME(K.release) },
            { ALT: () => this.CONSUME(K.mirror) },
            { ALT: () => this.CONSUME(K.keyring) },
            { ALT: () => this.CONSUME(K.infer) },
          ]);
          this.CONSUME(Value);
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(K.archs) }, { ALT: () => this.CONSUME(K.components) }]);
          this.SUBRULE(this.valueList);
        },
      },
      { ALT: () => this.SUBRULE(this.unknownStatement), IGNORE_AMBIGUITIES: true },
    ] });
  });

  /** `user nonroot`, `user 65532`, `user 1000:1000`, or `user { name www; uid 1000; gid 1000 }` */
  userStatement = this.RULE("userStatement", () => {
    this.CONSUME(K.user);
    this.OR([{ ALT: () => this.CONSUME(Value) }, { ALT: () => this.SUBRULE(this.userBlock) }]);
  });

  userBlock = this.RULE("userBlock", () => this.block(() => this.SUBRULE(this.userField)));

  userField = this.RULE("userField", () => {
    this.OR({ MAX_LOOKAHEAD: 1, DEF: [
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(K.name) }, { ALT: () => this.CONSUME(K.uid) }, { ALT: () => this.CONSUME(K.gid) }]);
          this.CONSUME(Value);
        },
      },
      { ALT: () => this.SUBRULE(this.unknownStatement), IGNORE_AMBIGUITIES: true },
    ] });
  });

  /** `env NAME = VALUE`, `label KEY = VALUE`, or a block of such entries (`env {}` is empty). */
  mapStatement = this.RULE("mapStatement", () => {
    this.OR([{ ALT: () => this.CONSUME(K.env) }, { ALT: () => this.CONSUME(K.label) }]);
    this.OR2([{ ALT: () => this.SUBRULE(this.mapEntry) }, { ALT: () => this.SUBRULE(this.mapBlock) }]);
  });

  mapEntry = this.RULE("mapEntry", () => {
    this.CONSUME(Value);
    this.CONSUME(Equals);
    this.CONSUME2(Value);
  });

  mapBlock = this.RULE("mapBlock", () => this.block(() => this.SUBRULE(this.mapEntry)));

  /** `mount PATH TYPE`, or a bracketed list of them (`mount []`: no mounts at all). */
  mountStatement = this.RULE("mountStatement", () => {
    this.CONSUME(K.mount);
    this.OR([
      { ALT: () => this.SUBRULE(this.mountItem) },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.MANY(() =>
            this.OR2([
              { ALT: () => this.CONSUME(Sep) },
              {
                ALT: () => {
                  this.SUBRULE2(this.mountItem);
                  this.CONSUME2(Sep);
                },
              },
            ]),
          );
          this.CONSUME(RBracket);
        },
      },
    ]);
  });

  mountItem = this.RULE("mountItem", () => {
    this.CONSUME(Value);
    this.CONSUME2(Value);
  });

  /** `file PATH source FILE [mode MODE] [exclude GLOB]...`, `file PATH content "..."`, or a bracketed list. */
  fileStatement = this.RULE("fileStatement", () => {
    this.CONSUME(K.file);
    this.OR([
      { ALT: () => this.SUBRULE(this.fileItem) },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.MANY(() =>
            this.OR2([
              { ALT: () => this.CONSUME(Sep) },
              {
                ALT: () => {
                  this.SUBRULE2(this.fileItem);
                  this.CONSUME2(Sep);
                },
              },
            ]),
          );
          this.CONSUME(RBracket);
        },
      },
    ]);
  });

  fileItem = this.RULE("fileItem", () => {
    this.CONSUME(Value);
    this.MANY(() => this.SUBRULE(this.fileField));
  });

  fileField = this.RULE("fileField", () => {
    this.OR([{ ALT: () => this.CONSUME(K.source) }, { ALT: () => this.CONSUME(K.content) }, { ALT: () => this.CONSUME(K.mode) }, { ALT: () => this.CONSUME(K.exclude) }, { ALT: () => this.CONSUME(K.unpack) }]);
    this.CONSUME(Value);
  });

  /** `output FORMAT [PATH]`; several statements, or a bracketed list, make a list of outputs. */
  outputStatement = this.RULE("outputStatement", () => {
    this.CONSUME(K.output);
    this.OR([
      { ALT: () => this.SUBRULE(this.outputItem) },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.MANY(() =>
            this.OR2([
              { ALT: () => this.CONSUME(Sep) },
              {
                ALT: () => {
                  this.SUBRULE2(this.outputItem);
                  this.CONSUME2(Sep);
                },
              },
            ]),
          );
          this.CONSUME(RBracket);
        },
      },
    ]);
  });

  outputItem = this.RULE("outputItem", () => {
    this.CONSUME(Value);
    this.OPTION(() => this.CONSUME2(Value));
  });

  /** `boot { kernel ...; cmdline ...; console ...; onExit ...; network ...; modules ... }`: how iso and kernel+initrd outputs boot. */
  bootStatement = this.RULE("bootStatement", () => {
    this.CONSUME(K.boot);
    this.SUBRULE(this.bootBlock);
  });

  bootBlock = this.RULE("bootBlock", () => this.block(() => this.SUBRULE(this.bootField)));

  bootField = this.RULE("bootField", () => {
    this.OR({ MAX_LOOKAHEAD: 1, DEF: [
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(K.kernel) }, { ALT: () => this.CONSUME(K.cmdline) }, { ALT: () => this.CONSUME(K.console) }, { ALT: () => this.CONSUME(K.onExit) }]);
          this.CONSUME(Value);
        },
      },
      {
        // `network dhcp`, `network none`, or `network { address ...; gateway ...; dns ... }`.
        ALT: () => {
          this.CONSUME(K.network);
          this.OR3([{ ALT: () => this.CONSUME2(Value) }, { ALT: () => this.SUBRULE(this.networkBlock) }]);
        },
      },
      {
        // `modules wireguard vfat`, or a bracketed list over lines.
        ALT: () => {
          this.CONSUME(K.modules);
          this.SUBRULE(this.valueList);
        },
      },
      { ALT: () => this.SUBRULE(this.unknownStatement), IGNORE_AMBIGUITIES: true },
    ] });
  });

  networkBlock = this.RULE("networkBlock", () => this.block(() => this.SUBRULE(this.networkField)));

  networkField = this.RULE("networkField", () => {
    this.OR({ MAX_LOOKAHEAD: 1, DEF: [
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(K.address) }, { ALT: () => this.CONSUME(K.gateway) }, { ALT: () => this.CONSUME(K.interface) }]);
          this.CONSUME(Value);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.dns);
          this.SUBRULE(this.valueList);
        },
      },
      { ALT: () => this.SUBRULE(this.unknownStatement), IGNORE_AMBIGUITIES: true },
    ] });
  });

  /** `metadata { sbom false; provenance false; dpkgStatus true }`: what mcc records about the image. */
  metadataStatement = this.RULE("metadataStatement", () => {
    this.CONSUME(K.metadata);
    this.SUBRULE(this.metadataBlock);
  });

  metadataBlock = this.RULE("metadataBlock", () => this.block(() => this.SUBRULE(this.metadataField)));

  metadataField = this.RULE("metadataField", () => {
    this.OR({ MAX_LOOKAHEAD: 1, DEF: [
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(K.sbom) }, { ALT: () => this.CONSUME(K.provenance) }, { ALT: () => this.CONSUME(K.dpkgStatus) }]);
          this.CONSUME(Value);
        },
      },
      { ALT: () => this.SUBRULE(this.unknownStatement), IGNORE_AMBIGUITIES: true },
    ] });
  });

  /** `{`, statements each ended by a separator, `}`: the shape of every block. */
  private block(statement: () => void): void {
    this.CONSUME(LBrace);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(Sep) },
        {
          ALT: () => {
            statement();
            this.CONSUME2(Sep);
          },
        },
      ]),
    );
    this.CONSUME(RBrace);
  }

  /**
   * A statement that starts with a word that is no keyword here (`pakages curl`). It is read
   * to its end so the visitor can name it (with a did-you-mean) and parsing goes on.
   */
  unknownStatement = this.RULE("unknownStatement", () => {
    this.CONSUME(Bare);
    this.MANY(() => this.SUBRULE(this.anything));
  });

  anything = this.RULE("anything", () => {
    this.OR([
      { ALT: () => this.CONSUME(Value) },
      { ALT: () => this.CONSUME(Equals) },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.MANY(() => this.OR2([{ ALT: () => this.CONSUME(Sep) }, { ALT: () => this.SUBRULE(this.anything) }]));
          this.CONSUME(RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBrace);
          this.MANY2(() => this.OR3([{ ALT: () => this.CONSUME2(Sep) }, { ALT: () => this.SUBRULE2(this.anything) }]));
          this.CONSUME(RBrace);
        },
      },
    ]);
  });
}

/** The one parser instance: Chevrotain parsers are built once and reused (set `input`, parse). */
let instance: DslParser | undefined;
export function dslParser(): DslParser {
  instance ??= new DslParser();
  return instance;
}

/** Parses tokens into a CST; errors (with recovery, several per run) come back beside it. */
export function parseDslTokens(tokens: IToken[]): { cst: CstNode; errors: DslParser["errors"] } {
  const parser = dslParser();
  parser.input = tokens;
  const cst = parser.spec();
  return { cst, errors: [...parser.errors] };
}
