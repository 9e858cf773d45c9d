/**
 * mcc's glob language for `include` and `exclude`, kept small so every pattern has one
 * obvious meaning: absolute, `/`-separated; `*` matches within one segment, `?` one
 * character, `[a-z]` / `[!a-z]` a class, `**` (a whole segment) zero or more segments,
 * and `\` escapes. Hidden files are not special. Braces are refused rather than guessed at.
 */
export type GlobParse =
  | { readonly ok: true; readonly regex: RegExp }
  | { readonly ok: false; readonly reason: string; readonly offset: number };

export function parseGlob(pattern: string): GlobParse {
  const fail = (reason: string, offset: number): GlobParse => ({ ok: false, reason, offset });
  if (pattern.length === 0) return fail("it is empty", 0);
  if (!pattern.startsWith("/")) return fail("globs are absolute paths inside the image; start it with '/'", 0);
  if (pattern.length > 1 && pattern.endsWith("/")) {
    return fail("it ends with '/'; write 'dir/**' for everything under a directory", pattern.length - 1);
  }
  let source = "^";
  let offset = 1;
  const segments = pattern === "/" ? [] : pattern.slice(1).split("/");
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === "") return fail("it has an empty path segment ('//')", offset);
    if (segment === "." || segment === "..") return fail(`it has a '${segment}' segment; write the path it means`, offset);
    if (segment === "**") {
      source += last ? "(?:/.*)?" : "(?:/[^/]+)*";
    } else {
      const compiled = compileSegment(segment, offset);
      if (!compiled.ok) return compiled;
      source += "/" + compiled.source;
    }
    offset += segment.length + 1;
  }
  if (segments.length === 0) source += "/";
  return { ok: true, regex: new RegExp(source + "$", "u") };
}

type SegmentParse = { ok: true; source: string } | { ok: false; reason: string; offset: number };

function compileSegment(segment: string, base: number): SegmentParse {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    const at = base + i;
    switch (c) {
      case "\\": {
        const next = segment[i + 1];
        if (next === undefined) return { ok: false, reason: "it ends with a lone '\\'", offset: at };
        out += escapeRegex(next);
        i++;
        break;
      }
      case "*":
        if (segment[i + 1] === "*") {
          return { ok: false, reason: "'**' must be a whole path segment, as in '/usr/**/x'", offset: at };
        }
        out += "[^/]*";
        break;
      case "?":
        out += "[^/]";
        break;
      case "[": {
        const close = findClassEnd(segment, i);
        if (close === -1) return { ok: false, reason: "a '[' is never closed", offset: at };
        let body = segment.slice(i + 1, close);
        let negate = false;
        if (body.startsWith("!") || body.startsWith("^")) {
          negate = true;
          body = body.slice(1);
        }
        if (body.length === 0) return { ok: false, reason: "a '[...]' class is empty", offset: at };
        const escaped = body.replace(/\\(.)/g, "$1").replace(/[\]\\^]/g, (m) => `\\${m}`);
        out += negate ? `[^/${escaped}]` : `[${escaped}]`;
        i = close;
        break;
      }
      case "{":
      case "}":
        return { ok: false, reason: "braces are not supported; list each pattern on its own (or escape it as '\\{')", offset: at };
      default:
        out += escapeRegex(c);
    }
  }
  return { ok: true, source: out };
}

function findClassEnd(segment: string, open: number): number {
  let i = open + 1;
  if (segment[i] === "!" || segment[i] === "^") i++;
  if (segment[i] === "]") i++;
  for (; i < segment.length; i++) {
    if (segment[i] === "\\") i++;
    else if (segment[i] === "]") return i;
  }
  return -1;
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** True when the path (absolute, normalized) matches the glob. */
export function matchGlob(glob: RegExp, path: string): boolean {
  return glob.test(path);
}
