// The modules a Python program imports, read from its text: what a static reading can see.
// It sees `import a.b`, `import a as b, c`, `from a.b import c` and `from . import c` anywhere
// in the file (at top level or in a function); it marks as optional an import inside a `try:`
// block (the program handles its absence) or under `if TYPE_CHECKING:`. It cannot see a module
// named at run time (`importlib.import_module(name)`, `__import__(x)`, plugins, entry points,
// pickle): those stay the spec's to include. Pure.

export interface PythonImport {
  /** The module as written, absolute (`a.b`), or relative with its leading dots (`.c`, `..d.e`). */
  readonly module: string;
  /** 1-based line of the statement. */
  readonly line: number;
  /** Inside `try:` or `if TYPE_CHECKING:`: the program runs without it. */
  readonly optional: boolean;
}

/** Blanks out string literals and comments, keeping the lines, so that only code is read. */
function codeOnly(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      out += " ";
      i += quote.length;
      while (i < text.length && !text.startsWith(quote, i)) {
        if (text[i] === "\\") i++;
        else if (!triple && text[i] === "\n") break;
        if (text[i] === "\n") out += "\n";
        i++;
      }
      i += quote.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The imports of a Python source file. */
export function pythonImports(text: string): PythonImport[] {
  const lines = codeOnly(text).split("\n");
  const out: PythonImport[] = [];
  // Open blocks that make an import optional, by their indentation.
  const guards: number[] = [];
  let continued = "";
  let startLine = 0;
  for (const [index, raw] of lines.entries()) {
    // A statement continued with a backslash or inside parentheses is read as one line.
    const joined = continued === "" ? raw : `${continued} ${raw.trim()}`;
    if (continued === "") startLine = index + 1;
    const open = (joined.match(/\(/g) ?? []).length - (joined.match(/\)/g) ?? []).length;
    if (joined.trimEnd().endsWith("\\") || open > 0) {
      continued = joined.trimEnd().replace(/\\$/, "");
      continue;
    }
    continued = "";
    const line = joined.replace(/[()]/g, " ");
    if (line.trim() === "") continue;
    const indent = line.length - line.trimStart().length;
    while (guards.length > 0 && indent <= (guards[guards.length - 1] as number) && !/^\s*(except|else|finally|elif)\b/.test(line)) guards.pop();
    const statement = line.trim();
    if (/^try\s*:/.test(statement) || /^if\s+(typing\.)?TYPE_CHECKING\s*:/.test(statement)) {
      guards.push(indent);
      continue;
    }
    const optional = guards.length > 0;
    for (const part of statement.split(";").map((p) => p.trim())) {
      const plain = /^import\s+(.+)$/.exec(part);
      if (plain !== null) {
        for (const name of (plain[1] as string).split(",")) {
          const module = name.trim().split(/\s+as\s+/)[0]?.trim() ?? "";
          if (/^[A-Za-z_][\w.]*$/.test(module)) out.push({ module, line: startLine, optional });
        }
        continue;
      }
      const from = /^from\s+(\.*[\w.]*)\s+import\s+(.+)$/.exec(part);
      if (from === null) continue;
      const base = from[1] as string;
      if (base === "__future__") continue;
      if (/^\.+$/.test(base)) {
        // `from . import a, b`: each name is a module of the package (or a name in it).
        for (const name of (from[2] as string).split(",")) {
          const module = name.trim().split(/\s+as\s+/)[0]?.trim() ?? "";
          if (/^\w+$/.test(module)) out.push({ module: `${base}${module}`, line: startLine, optional: true });
        }
        continue;
      }
      out.push({ module: base, line: startLine, optional });
    }
  }
  return out;
}
