// Interpreters load their modules by path at run time, which no ELF names: for each, which
// kept program is it, which trees of Debian's layout hold what it loads (kept whole by a rule),
// and the file it cannot start without, when there is one. Pure data.

export interface Interpreter {
  /** The rule's id (`mcc why` names it). */
  readonly rule: string;
  readonly why: string;
  /** A kept path that is this interpreter; the capture is its version, when the path has one. */
  readonly program: RegExp;
  /** The module trees, as mcc globs, for a version and the architecture's triplet. */
  trees(version: string | undefined, triplet: string): readonly string[];
  /** A file the interpreter loads before it runs anything: without it, it cannot start. */
  startup?(version: string | undefined): string;
}

export const INTERPRETERS: readonly Interpreter[] = [
  {
    rule: "python-modules",
    why: "the Python interpreter imports its standard library and the packages' modules by path at run time, which no ELF names: they are kept whole, never file by file",
    program: /^\/usr\/bin\/python(\d+\.\d+)$/,
    trees: (v) => [`/usr/lib/python${v}/**`, `/usr/lib/python3/dist-packages/**`, `/usr/local/lib/python${v}/dist-packages/**`],
    // Python imports the codecs of its file system encoding before anything else.
    startup: (v) => `/usr/lib/python${v}/encodings/__init__.py`,
  },
  {
    rule: "perl-modules",
    why: "the Perl interpreter loads its modules by path at run time (use, require), which no ELF names: they are kept whole",
    program: /^\/usr\/bin\/perl(?:5\.[0-9.]+)?$/,
    trees: (_v, triplet) => [`/usr/lib/${triplet}/perl-base/**`, `/usr/lib/${triplet}/perl5/**`, `/usr/lib/${triplet}/perl/**`, "/usr/share/perl5/**", "/usr/share/perl/**"],
  },
  {
    rule: "ruby-modules",
    why: "the Ruby interpreter loads its standard library, RubyGems and the packages' gems by path at run time (require), which no ELF names: they are kept whole",
    program: /^\/usr\/bin\/ruby(\d+\.\d+)$/,
    // Ruby starts without its library (RubyGems is loaded only when it is there), so no startup file.
    trees: (_v, triplet) => ["/usr/lib/ruby/**", `/usr/lib/${triplet}/ruby/**`, "/usr/share/rubygems-integration/**"],
  },
  {
    rule: "node-modules",
    why: "Node.js loads the packages' modules by path at run time (require, import), which no ELF names: Debian's module trees are kept whole",
    program: /^\/usr\/bin\/(?:node|nodejs)$/,
    trees: (_v, triplet) => ["/usr/share/nodejs/**", "/usr/lib/nodejs/**", `/usr/lib/${triplet}/nodejs/**`],
  },
  {
    rule: "lua-modules",
    why: "the Lua interpreter loads modules by path at run time (require), which no ELF names: they are kept whole",
    program: /^\/usr\/bin\/lua(\d+\.\d+)$/,
    trees: (v, triplet) => [`/usr/share/lua/${v}/**`, `/usr/lib/${triplet}/lua/${v}/**`],
  },
];

/** The interpreters among kept paths, each with its version: (`/usr/bin/python3.11` -> python, 3.11). */
export function keptInterpreters(kept: Iterable<string>): { interpreter: Interpreter; path: string; version: string | undefined }[] {
  const out: { interpreter: Interpreter; path: string; version: string | undefined }[] = [];
  for (const path of kept) {
    for (const interpreter of INTERPRETERS) {
      const m = interpreter.program.exec(path);
      if (m !== null) out.push({ interpreter, path, version: m[1] });
    }
  }
  return out;
}
