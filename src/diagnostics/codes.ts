/**
 * Every diagnostic mcc can report, by stable code. The code is the contract: tools and
 * users search for it, so a code is never reused for another meaning. `docs/diagnostics.md`
 * is checked against this table by the tests.
 *
 * Ranges: MCC0xx reading the file, MCC1xx YAML syntax, MCC2xx schema, MCC3xx meaning.
 */
export interface DiagnosticDefinition {
  /** One line saying what kind of problem this is (used in the docs). */
  readonly title: string;
  /** The message template; `{name}` placeholders are filled from the diagnostic's args. */
  readonly template: string;
}

export const DIAGNOSTICS = {
  MCC001: { title: "file cannot be read", template: "cannot read {path}: {reason}" },
  MCC002: { title: "path is a directory", template: "{path} is a directory, not a spec file" },
  MCC003: { title: "file too large", template: "spec file is too large ({size}); the limit is {limit}" },
  MCC004: { title: "binary file", template: "this is a binary file (it holds a NUL byte), not a spec" },
  MCC005: { title: "not UTF-8", template: "the file is not valid UTF-8 (byte 0x{byte})" },
  MCC006: { title: "empty spec", template: "the spec is empty; it needs at least name, packages and executable" },

  MCC100: { title: "YAML syntax error", template: "YAML syntax error: {detail}" },
  MCC101: { title: "duplicate key", template: "duplicate key \"{key}\" (first given on line {line})" },
  MCC102: { title: "tab in indentation", template: "tabs are not allowed in YAML indentation; use spaces" },
  MCC103: { title: "alias expansion limit", template: "aliases expand to more than {limit} nodes; the spec is refused as a possible alias bomb" },
  MCC104: { title: "several YAML documents", template: "a spec is one YAML document; this file has {count}" },
  MCC105: { title: "unsupported YAML value", template: "{detail}" },

  MCC200: { title: "top level is not a mapping", template: "the spec must be a mapping of keys to values at the top level, not {actual}" },
  MCC201: { title: "unknown field", template: "unknown field \"{field}\"{suggestion}" },
  MCC202: { title: "missing required field", template: "missing required field \"{field}\"{where}" },
  MCC203: { title: "wrong type", template: "{field} must be {expected}, not {actual}" },
  MCC204: { title: "value does not match its pattern", template: "{field} \"{value}\" is invalid: {detail}" },
  MCC205: { title: "value not allowed", template: "{field} must be {allowed}, not {actual}{suggestion}" },
  MCC206: { title: "list is empty", template: "{field} must have at least {min} item{plural}" },
  MCC207: { title: "duplicate list item", template: "{field} lists {value} twice" },
  MCC208: { title: "value out of range", template: "{field} must be {relation} {limit}, not {actual}" },
  MCC209: { title: "exactly one of two fields", template: "{field} needs exactly one of {options}" },
  MCC210: { title: "value too long or short", template: "{field} must be {relation} {limit} character{plural} long" },

  MCC300: { title: "path must be absolute", template: "{field} must be an absolute path (starting with '/'), not \"{value}\"" },
  MCC301: { title: "path not normal", template: "{field} \"{value}\" is not a normal path: {reason}" },
  MCC302: { title: "duplicate mount path", template: "mount path \"{value}\" is given twice (first on line {line})" },
  MCC303: { title: "invalid Debian package name", template: "\"{value}\" is not a valid Debian package name: {reason}" },
  MCC304: { title: "invalid Debian version", template: "\"{value}\" is not a valid Debian version: {reason}" },
  MCC305: { title: "duplicate package", template: "package \"{value}\" is listed twice (first on line {line})" },
  MCC306: { title: "invalid glob", template: "invalid glob \"{value}\": {reason}" },
  MCC307: { title: "source file not found", template: "source file \"{value}\" does not exist (looked for {resolved})" },
  MCC308: { title: "source escapes the spec's directory", template: "source \"{value}\" leaves the spec's directory; files must come from the spec's directory or below" },
  MCC309: { title: "source is not a regular file", template: "source \"{value}\" is {kind}, not a regular file" },
  MCC310: { title: "duplicate file path", template: "file path \"{value}\" is given twice (first on line {line})" },
  MCC311: { title: "file inside a mount", template: "file \"{value}\" lies under the {type} mount \"{mount}\", which hides it at run time" },
  MCC312: { title: "ambiguous file mode", template: "mode {value} is a decimal number; write it in octal as \"0{value}\" (or 0o{value}) so it means what it looks like" },
  MCC313: { title: "duplicate output path", template: "output path \"{value}\" is used twice (first on line {line})" },
  MCC314: { title: "invalid mirror URL", template: "mirror \"{value}\" is not {reason}" },
  MCC315: { title: "invalid port", template: "port {value} is out of range (1-65535)" },
  MCC316: { title: "duplicate port", template: "port {value} is listed twice" },
  MCC317: { title: "keyring not found", template: "keyring \"{value}\" does not exist (looked for {resolved})" },
} as const satisfies Record<string, DiagnosticDefinition>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

/** Fills a template's `{name}` placeholders; a missing argument is a bug in mcc, not the user's. */
export function formatMessage(code: DiagnosticCode, args: Readonly<Record<string, string | number>>): string {
  return DIAGNOSTICS[code].template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = args[key];
    if (value === undefined) throw new Error(`diagnostic ${code} is missing argument "${key}"`);
    return String(value);
  });
}
