import { oneLine } from "../paths/names.js";

/**
 * Every diagnostic mcc can report, by stable code. The code is the contract: tools and
 * users search for it, so a code is never reused for another meaning. `docs/diagnostics.md`
 * is checked against this table by the tests.
 *
 * Ranges: MCC0xx reading the file, MCC1xx syntax (MCC100-119 YAML, MCC120-139 the .mcc DSL), MCC2xx schema, MCC3xx meaning,
 * MCC4xx resolving packages and lock files, MCC5xx tracing and building, MCC6xx minifying an image.
 */
export interface DiagnosticDefinition {
  /** One line saying what kind of problem this is (used in the docs). */
  readonly title: string;
  /** The message template; `{name}` placeholders are filled from the diagnostic's args. */
  readonly template: string;
  /** What it means and how to fix it, for `docs/diagnostics.md`. */
  readonly help: string;
}

export const DIAGNOSTICS = {
  MCC001: {
    title: "file cannot be read",
    template: "cannot read {path}: {reason}",
    help: "The path does not name a readable file. Check the spelling and the current directory; mcc reads specs as they are, it never creates them.",
  },
  MCC002: {
    title: "path is a directory",
    template: "{path} is a directory, not a spec file",
    help: "Give the spec file itself, not the directory that holds it.",
  },
  MCC003: {
    title: "file too large",
    template: "spec file is too large ({size}); the limit is {limit}",
    help: "A spec is a few hundred lines at most. A file over the limit is almost always the wrong file; it is refused before it is read.",
  },
  MCC004: {
    title: "binary file",
    template: "this is a binary file (it holds a NUL byte), not a spec",
    help: "The file holds a NUL byte, so it is not text. Check that you passed the spec and not an image or archive.",
  },
  MCC005: {
    title: "not UTF-8",
    template: "the file is not valid UTF-8 (byte 0x{byte})",
    help: "Specs are UTF-8. The position is that of the first byte that is not; re-save the file as UTF-8 (Latin-1 editors are the usual cause).",
  },
  MCC006: {
    title: "empty spec",
    template: "the spec is empty; it needs at least name, packages and executable",
    help: "The file has no content (only blank lines, comments or an empty YAML document). Write at least `name`, `packages` and `executable` (in a .mcc file: `image NAME { packages ...; executable ... }`).",
  },

  MCC100: {
    title: "YAML syntax error",
    template: "YAML syntax error: {detail}",
    help: "The YAML parser could not read the file past this point. The message is the parser's; the position is where it gave up, which is often just after the real mistake (an unclosed bracket or quote).",
  },
  MCC101: {
    title: "duplicate key",
    template: "duplicate key \"{key}\" (first given on line {line})",
    help: "A key appears twice in one mapping. YAML parsers disagree about which value wins, so mcc refuses to guess: keep one.",
  },
  MCC102: {
    title: "tab in indentation",
    template: "tabs are not allowed in YAML indentation; use spaces",
    help: "YAML indents with spaces only. Replace the tab with spaces (most editors have a setting for YAML files).",
  },
  MCC103: {
    title: "alias expansion limit",
    template: "aliases expand to more than {limit} nodes; the spec is refused as a possible alias bomb",
    help: "Following the spec's aliases (`*name`) would build more nodes than any real spec has, which is how \"billion laughs\" attacks exhaust memory. The spec is refused in bounded time.",
  },
  MCC104: {
    title: "several YAML documents",
    template: "a spec is one YAML document; this file has {count}",
    help: "A spec file holds one YAML document; `---` starts a second one. Use one file per spec.",
  },
  MCC105: {
    title: "unsupported YAML value",
    template: "{detail}",
    help: "The value uses a YAML feature a spec has no use for: an explicit tag other than the core ones (`!!str`, `!!int`, ...), or a key that is a list, a mapping or empty.",
  },

  MCC120: {
    title: "unclosed string",
    template: "this string has no closing quote (\") on its line",
    help: "In a .mcc file, a quoted string ends on the line it starts on; a line break inside one is written `\\n`. Add the closing `\"`.",
  },
  MCC121: {
    title: "invalid string escape",
    template: "unknown escape {escape} in a string; the escapes are \\\\ \\\" \\n \\t \\r and \\u{...}",
    help: "In a quoted string of a .mcc file, `\\` starts an escape: `\\\\`, `\\\"`, `\\n`, `\\t`, `\\r`, or `\\u{1F600}` (one to six hex digits). To write a backslash, double it, or write the value as a bare word, where `\\` has no special meaning.",
  },
  MCC122: {
    title: "something is missing",
    template: "expected {expected} after {after}",
    help: "A statement of the .mcc file stops short: the message says what should come next. Each statement is a keyword followed by its values on the same line.",
  },
  MCC123: {
    title: "unexpected text",
    template: "unexpected {actual}: {detail}",
    help: "The .mcc parser found something where it does not belong: a value after the end of a statement, or a statement that does not start with a keyword. Values that hold spaces or any of `\"{}[];` must be quoted.",
  },
  MCC124: {
    title: "unknown keyword",
    template: "unknown keyword `{word}`{suggestion}",
    help: "The statement starts with a word that is not a keyword of the block it is in. When the word is close to a keyword, or is a keyword of another block (`release` belongs in `from { }`), the message says so. See docs/dsl.md for every keyword.",
  },
  MCC125: {
    title: "given twice",
    template: "{what} is given twice (first on line {line})",
    help: "A setting that takes one value is given twice in a .mcc file, or a name appears twice in `env`, `label` or one `file`. mcc refuses to guess which one you meant: keep one. (Lists such as `packages` may be given in several statements; they add up.)",
  },
  MCC126: {
    title: "no image block",
    template: "a .mcc file starts with `image NAME {`, not {actual}",
    help: "A .mcc file holds one `image NAME { ... }` block (comments and blank lines may come before it). A YAML spec belongs in a file named .yml or .yaml.",
  },
  MCC127: {
    title: "unclosed block or list",
    template: "{bracket} is never closed: expected {closing} before the end of the file",
    help: "A `{` block or `[` list of the .mcc file is still open at the end of the file. Add the closing bracket; an editor that highlights .mcc files shows which one is open.",
  },
  MCC128: {
    title: "text after the image block",
    template: "a .mcc file holds one image block; unexpected {actual} after its closing `}`",
    help: "Everything of the spec goes inside `image NAME { ... }`. Text after its closing `}` (often a `}` too many, or a second image) is refused; use one file per image.",
  },

  MCC129: {
    title: "nested too deeply",
    template: "blocks and lists nest deeper than {limit} levels here",
    help: "A spec's blocks nest a few levels (`image { from { ... } }`, a list inside a block). Deeper nesting is no spec at all, and is refused before it is parsed.",
  },

  MCC200: {
    title: "top level is not a mapping",
    template: "the spec must be a mapping of keys to values at the top level, not {actual}",
    help: "The top of a spec is a mapping (`name: ...`, `packages: ...`), not a list or a single value.",
  },
  MCC201: {
    title: "unknown field",
    template: "unknown field \"{field}\"{suggestion}",
    help: "The field is not part of the spec format. When the name is close to a real field, or is what Dockerfiles and compose files call one, the message says which; otherwise a note lists the fields that are allowed here.",
  },
  MCC202: {
    title: "missing required field",
    template: "missing required field \"{field}\"{where}",
    help: "A required field is missing. The position is that of the mapping that should hold it.",
  },
  MCC203: {
    title: "wrong type",
    template: "{field} must be {expected}, not {actual}",
    help: "The value has the wrong type. A number or `true` where a string is expected gets a hint to quote it; a single value where a list is expected gets a hint to bracket it.",
  },
  MCC204: {
    title: "value does not match its pattern",
    template: "{field} \"{value}\" is invalid: {detail}",
    help: "The value does not have the form the field requires; the message says what that form is.",
  },
  MCC205: {
    title: "value not allowed",
    template: "{field} must be {allowed}, not {actual}{suggestion}",
    help: "The value is not one of the few the field allows; close misspellings get a suggestion.",
  },
  MCC206: {
    title: "list is empty",
    template: "{field} must have at least {min} item{plural}",
    help: "The list needs at least the number of items shown; an empty `packages` list, for example, would build nothing.",
  },
  MCC207: {
    title: "duplicate list item",
    template: "{field} lists {value} twice",
    help: "A list whose items must be distinct names one twice. Remove the repeat.",
  },
  MCC208: {
    title: "value out of range",
    template: "{field} must be {relation} {limit}, not {actual}",
    help: "The number is outside the field's range (a negative uid, a mode above 07777, a port above 65535).",
  },
  MCC209: {
    title: "exactly one of two fields",
    template: "{field} needs exactly one of {options}",
    help: "Each entry of `files` takes its bytes from exactly one place: `source` (a file next to the spec) or `content` (inline).",
  },
  MCC210: {
    title: "value too long or short",
    template: "{field} must be {relation} {limit} character{plural} long",
    help: "The string is longer or shorter than the field allows.",
  },
  MCC211: {
    title: "empty mapping",
    template: "{field} is empty; give at least one of {options}",
    help: "The mapping form of the field needs at least one of its keys: `user: {}` says nothing (leave `user` out for the default, or give `name`, `uid` or `gid`).",
  },

  MCC300: {
    title: "path must be absolute",
    template: "{field} must be an absolute path (starting with '/'), not \"{value}\"",
    help: "Paths inside the image are absolute: they start with `/`.",
  },
  MCC301: {
    title: "path not normal",
    template: "{field} \"{value}\" is not a normal path: {reason}",
    help: "Paths inside the image are written in one canonical way: no `//`, `.` or `..` segments and no trailing `/`, so that two spellings of one place cannot slip past the duplicate checks. The root cannot be a mount or a file.",
  },
  MCC302: {
    title: "duplicate mount path",
    template: "mount path \"{value}\" is given twice (first on line {line})",
    help: "Two mounts name the same place. Keep one.",
  },
  MCC303: {
    title: "invalid Debian package name",
    template: "\"{value}\" is not a valid Debian package name: {reason}",
    help: "Debian package names are lowercase letters, digits, `+`, `-` and `.`, at least two characters long, starting with a letter or digit (Debian Policy 5.6.1).",
  },
  MCC304: {
    title: "invalid Debian version",
    template: "\"{value}\" is not a valid Debian version: {reason}",
    help: "A pinned version (`name=version`) must be a Debian version: `[epoch:]upstream[-revision]`, the upstream part starting with a digit (Debian Policy 5.6.12).",
  },
  MCC305: {
    title: "duplicate package",
    template: "package \"{value}\" is listed twice (first on line {line})",
    help: "Each package is listed once, pinned or not. Remove the repeat (or keep only the pinned one).",
  },
  MCC318: {
    title: "character that cannot be there",
    template: "{field} \"{value}\" holds {what}",
    help: "Names on a file system (paths, globs, output paths, sources) hold no control characters (U+0000 to U+001F, U+007F): a newline or a NUL in a name breaks the tools that list, scan or extract the image. An argument may hold any character but NUL, which no program can receive in its argv.",
  },
  MCC319: {
    title: "mode is not octal",
    template: "mode {value} is not an octal number: 8 and 9 are not octal digits",
    help: "A mode is written in octal (`0644`, `0o755`, `\"0600\"`); YAML reads `0999` or `999` as the decimal 999, which is no mode anyone means.",
  },
  MCC306: {
    title: "invalid glob",
    template: "invalid glob \"{value}\": {reason}",
    help: "The glob cannot be read. Globs are absolute; `*`, `?` and `[...]` work within one path segment and `**` is a whole segment matching any depth. See docs/spec.md.",
  },
  MCC307: {
    title: "source file not found",
    template: "source file \"{value}\" does not exist (looked for {resolved})",
    help: "The `source` of a file does not exist. Sources are relative to the directory of the spec file, not to the current directory.",
  },
  MCC308: {
    title: "source escapes the spec's directory",
    template: "source \"{value}\" leaves the spec's directory; files must come from the spec's directory or below",
    help: "A `source` may name only files in the spec's directory or below (after following symlinks), so a spec cannot copy files such as `/etc/passwd` from the machine that builds it.",
  },
  MCC309: {
    title: "source is not a file or directory",
    template: "source \"{value}\" is {kind}, not a regular file or a directory",
    help: "A `source` must be a regular file or a directory of the repository; a device, socket or pipe has no content to copy, and one the host cannot read cannot be built from.",
  },
  MCC320: {
    title: "exclude without a directory",
    template: "exclude \"{value}\" needs a directory source: inline content has nothing to leave out",
    help: "`exclude` leaves things out of a directory named by `source`. For inline `content`, remove it.",
  },
  MCC321: {
    title: "symlink out of a source tree",
    template: "\"{value}\" in the source tree is a symlink to {target}, outside the tree",
    help: "A directory source may hold symlinks only to places inside it (relative targets that stay below it): one to an absolute path or above the tree would point at something else in the image than in the repository. Replace it with the file, make it relative inside the tree, or leave it out with `exclude`.",
  },
  MCC322: {
    title: "special file in a source tree",
    template: "\"{value}\" in the source tree is {what}, which an image cannot hold",
    help: "A microcontainer's files are regular files, directories and symlinks; devices, sockets and pipes are made at run time, not shipped. Leave it out with `exclude`.",
  },
  MCC323: {
    title: "source too large",
    template: "source \"{value}\" {reason}",
    help: "A single file may hold at most 2 GiB and a tree at most 100000 entries. Leave build outputs, caches and version control out with `exclude`.",
  },
  MCC324: {
    title: "mode for a directory",
    template: "mode {value} applies to a single file; the files of the directory \"{source}\" keep their executable bit",
    help: "The files of a directory source are 0755 when executable in the repository and 0644 otherwise (directories 0755). Set the executable bit in the repository (`chmod +x`, `git update-index --chmod=+x`), and remove `mode`.",
  },
  MCC325: {
    title: "package path is not a .deb",
    template: "\"{value}\" is a path (it holds a '/'), and a package path names a .deb file",
    help: "A `packages` entry with a `/` is a local package: a `.deb` file of the repository, relative to the spec (`./app_1.0_amd64.deb`). A package of the archive is named without a `/`.",
  },
  MCC326: {
    title: "package path escapes the spec's directory",
    template: "package \"{value}\" leaves the spec's directory; a local .deb must be in the spec's directory or below",
    help: "A local package is read from the repository, like `files.source`: a path relative to the spec's directory that does not climb out of it, so a spec cannot install whatever lies on the build machine.",
  },
  MCC327: {
    title: "local package unusable",
    template: "the local package \"{value}\" {reason}",
    help: "A local package must be a `.deb` file of the repository (dpkg-deb --build makes one): an ar archive with `debian-binary`, `control.tar` and `data.tar` members, whose control file names its Package, Version and Architecture; its architecture must be the image's or `all`.",
  },
  MCC329: {
    title: "unpack without a tar archive",
    template: "unpack needs a tar archive source (.tar, .tar.gz, .tar.xz, .tar.zst), not {value}",
    help: "`unpack: true` unpacks a tar archive of the repository under the entry's path. Name a tarball as the `source`, or remove `unpack` to add the file as it is.",
  },
  MCC330: {
    title: "tarball member outside the archive",
    template: "the member \"{value}\" of {source} is named outside the archive",
    help: "A member whose name is absolute or climbs with `..` would be written outside the path it is unpacked to; no archive a build tool writes holds one. The archive is refused whole: rebuild it with relative names.",
  },
  MCC331: {
    title: "name an image cannot hold",
    template: "\"{value}\" in the source tree cannot go into an image: {reason}",
    help: "Every name in an image is UTF-8 text without control characters: layers, the lock, the SBOM and every listing carry names as text, and a newline or a byte that is not UTF-8 cannot be written there as itself (U+FFFD is what a byte that is not UTF-8 reads as). Rename it, or leave it out with `exclude`. An entry of a package with such a name is dropped with a note.",
  },
  MCC310: {
    title: "duplicate file path",
    template: "file path \"{value}\" is given twice (first on line {line})",
    help: "Two entries of `files` write the same path. Keep one.",
  },
  MCC311: {
    title: "file inside a mount",
    template: "file \"{value}\" lies under the {type} mount \"{mount}\", which hides it at run time",
    help: "The file would be written under a tmpfs mount, which starts empty at run time and hides it. Put it elsewhere (a config mount such as `/read` may hold default files).",
  },
  MCC312: {
    title: "ambiguous file mode",
    template: "mode {value} is a decimal number; write it in octal as \"0{value}\" (or 0o{value}) so it means what it looks like",
    help: "YAML reads `mode: 644` as the decimal number 644, which is not the mode `rw-r--r--`. Write modes in octal: `0644`, `0o644` or `\"0644\"`.",
  },
  MCC313: {
    title: "duplicate output path",
    template: "output path \"{value}\" is used twice (first on line {line})",
    help: "Two outputs would write the same path (the default paths included: `out/<name>` plus a suffix per format). Give one of them a `path`.",
  },
  MCC314: {
    title: "invalid mirror URL",
    template: "mirror \"{value}\" is not {reason}",
    help: "The mirror is the base URL of a Debian archive (the directory that holds `dists/` and `pool/`), over http, https or file, with no query or fragment.",
  },
  MCC315: {
    title: "invalid port",
    template: "port {value} is out of range (1-65535)",
    help: "A port is between 1 and 65535.",
  },
  MCC316: {
    title: "duplicate port",
    template: "port {value} is listed twice",
    help: "Each port and protocol is listed once; `8080` and `8080/tcp` are the same port.",
  },
  MCC317: {
    title: "keyring not found",
    template: "keyring \"{value}\" does not exist (looked for {resolved})",
    help: "The keyring file the spec names does not exist. Relative paths are taken from the spec's directory.",
  },
  MCC328: {
    title: "keyring too large",
    template: "keyring \"{value}\" is {size} bytes; a keyring holds a few keys, at most {limit} bytes",
    help: "An OpenPGP keyring is a few kilobytes (Debian's holds a dozen keys in about 100 KiB). A file this large is not the keyring meant, and is not read.",
  },
  MCC332: {
    title: "gateway off the network",
    template: "the gateway {gateway} is not on the network of {address}",
    help: "A default route goes through a gateway the appliance reaches directly: on the network its address and prefix length describe (10.0.2.2 for 10.0.2.15/24). Correct the gateway or the prefix length.",
  },
  MCC333: {
    title: "network address is not a host",
    template: "{address} is the {what} of its network, not an address a machine may take",
    help: "With a prefix length below 31, the first address of a network names the network and the last is its broadcast address; neither may be an interface's address. Give a host address such as 10.0.2.15/24.",
  },
  MCC400: {
    title: "unknown package",
    template: "no package \"{name}\" in the archive{on}{suggestion}",
    help: "No package of that name exists in the release's components for this architecture, and no package provides it. Check the spelling, `from.release` and `from.components` (some packages live in `contrib` or `non-free`).",
  },
  MCC401: {
    title: "pinned version not available",
    template: "\"{name}\" has no version {version} in the archive{on}",
    help: "The pin `name=version` names a version the archive does not hold (any more: the archive keeps only the current versions of a release, its updates and its security fixes). The note lists the versions there are; pin one of them, or drop the pin.",
  },
  MCC402: {
    title: "virtual package with several providers",
    template: "\"{name}\" is a virtual package provided by {providers}; name the one you want",
    help: "The name is not a package but something several packages provide. As apt does, mcc asks you to choose rather than guess.",
  },
  MCC403: {
    title: "unsatisfiable dependency",
    template: "cannot install \"{name}\"{on}: {detail}",
    help: "A dependency of the package (or of one of its dependencies) cannot be met from the archive, or conflicts with a version the spec pins. The message names the relation that fails and what is available; the note shows the chain from the package you asked for.",
  },
  MCC404: {
    title: "several packages ship what a file needs",
    template: "{what}, needed by {by}, is {path} in several packages{on}: {packages}",
    help: "The Contents index of the release lists more than one package shipping the file one of the spec's own files needs, so mcc does not guess: name the one you want in `packages`.",
  },
  MCC405: {
    title: "no package ships what a file needs",
    template: "{what}, needed by {by}, is in no package of the release{on}",
    help: "One of the spec's own files needs a library or an interpreter that neither the spec's files nor any package of the release's Contents index provide. Ship it in the spec's files (a library beside your program, found through `$ORIGIN`), or name the package that provides it (a library installed under another name, a component not in `from.components`).",
  },
  MCC406: {
    title: "a package the spec's files need is not named",
    template: "{what}: it is in the package {name}, which packages does not name",
    help: "With `from.infer: false`, mcc adds no package on its own. Add the package named to `packages`, or let mcc find it (remove `infer: false`).",
  },
  MCC410: {
    title: "no lock file",
    template: "there is no lock file {path}; run `mcc lock` and commit it",
    help: "With `--frozen`, the lock must exist and be current: CI uses it to make sure builds use exactly the committed package set.",
  },
  MCC411: {
    title: "stale lock file",
    template: "the lock file {path} does not match the spec (release, components, architectures or packages changed); run `mcc lock`",
    help: "The spec's inputs to resolution changed since the lock was written. With `--frozen` this is an error, so that CI never builds a package set nobody reviewed.",
  },
  MCC500: {
    title: "executable not in the packages",
    template: "the executable {path} is not in any package of the set",
    help: "No resolved package ships a file at that path (after following symlinks and the alternatives the packages' maintainer scripts would make). The note lists files of the packages with that name or a close one; fix the path or add the package that ships it.",
  },
  MCC501: {
    title: "needed library not found",
    template: "{name}, needed by {by}, is in no package of the set",
    help: "An ELF file the image keeps needs a shared library (DT_NEEDED) that no resolved package ships in the directories ld.so searches. The note lists the directories searched. Usually a package lacks a Depends; add the package that ships the library.",
  },
  MCC502: {
    title: "interpreter not found",
    template: "the interpreter {path} of {by} is in no package of the set",
    help: "A script's `#!` line or an ELF's PT_INTERP names a program no resolved package ships. Add its package (python3, perl, a shell...).",
  },
  MCC503: {
    title: "unreadable ELF file",
    template: "{path} looks like an ELF file but cannot be read: {message}",
    help: "A file with the ELF magic could not be parsed; it may be damaged or of an unsupported kind.",
  },
  MCC504: {
    title: "include matches nothing",
    template: "include \"{glob}\" matches nothing in the packages{where}",
    help: "An `include` glob is matched against every file of the resolved packages and the spec's own files; one that matches nothing keeps nothing, and the image is built without what you meant it to hold (often another release's path, such as python3.13 on bookworm). The note gives the closest path there is. A glob that names a directory keeps nothing either: `include` keeps files, so add `/**`. This is a warning: the build goes on.",
  },
  MCC505: {
    title: "exclude matches nothing",
    template: "exclude \"{glob}\" matches nothing in the packages{where}",
    help: "An `exclude` glob that matches no file of the packages, of the spec or of what mcc writes leaves out nothing: a typo, or a path of another release. The note gives the closest path there is. This is a warning: the build goes on.",
  },
  MCC506: {
    title: "exclude removes a needed file",
    template: "exclude \"{glob}\" removes {path}, which {by} needs",
    help: "The excluded file is one the image needs to run: a shared library an ELF file loads, its ELF interpreter, or the interpreter of a script that runs. Without it the program fails when it starts. Narrow the glob, or remove it; `mcc why PATH` says who needs the file.",
  },
  MCC507: {
    title: "kept script cannot run",
    template: "{path} {verb} with #!{interpreter}, which is not in the image{where}",
    help: "A script the image keeps as data (an `include` brought it in, with a module tree) names in its `#!` line a program no package of the set ships, or one `env` does not find on the PATH. Nothing in the image runs it, so the build goes on: the program may only read it (a module of Python's standard library that is also a script). If the program runs it, add the package that ships the interpreter; if nothing does, this warning can be left, or the script excluded.",
  },
  MCC508: {
    title: "interpreter cannot start",
    template: "{interpreter} is in the image without {needs}, which it loads when it starts{where}",
    help: "An interpreter may load its first modules by path before it runs anything (Python its `encodings`); no ELF names them, so mcc keeps the interpreter's module trees whole by a rule (`mcc why` names it). When the file is still missing, an `exclude` took it out (narrow the glob) or no package of the set ships it (add the package that does: the note gives the glob its tree is kept by). The build goes on; the program will not start.",
  },
  MCC509: {
    title: "Python import not in the image",
    template: "{script} imports {module} (line {line}), which is not in the image{where}",
    help: "mcc reads the imports of the spec's own Python programs (`import a.b`, `from a import b`, `from . import c`) and looks for each module as Python would: beside the program, on the spec's PYTHONPATH, in the interpreter's library and lib-dynload, in the packages' module directories, or built into the interpreter. A module found in none of them stops the program with ModuleNotFoundError. The note names the release's package that ships it, from the Contents index. Imports inside `try:` (the program handles their absence) and under `if TYPE_CHECKING:` are not checked; a module named at run time (`importlib.import_module`, `__import__`, plugins) cannot be seen and stays yours to include. This is a warning: the build goes on.",
  },
  MCC510: {
    title: "this spec cannot boot",
    template: "the {format} output cannot boot this spec: {reason}",
    help: "A bootable output's init mounts /proc, /sys and /dev itself; a spec mount there would hide them (or be hidden). Move the mount, or build an OCI output instead.",
  },
  MCC511: {
    title: "kernel module not in the kernel package",
    template: "the kernel package {kernel} has no module \"{value}\"{suggestion}",
    help: "`boot.modules` names modules as `modprobe` takes them; each must be built into the kernel or shipped as a `.ko` file by the kernel package (`boot.kernel`). Kernels of different flavours build different drivers: Debian's cloud kernels leave out most drivers for real hardware, which `linux-image-amd64` has. `modinfo NAME` on a machine running that kernel tells whether it has the module.",
  },
  MCC520: {
    title: "output would replace something else",
    template: "the output {path} would replace {what}",
    help: "mcc writes an output only where nothing is, into an empty directory, or over an output of the same format: an OCI layout (`oci-layout`, `index.json` and `blobs/` only), a root file system (`usr/` and only the top-level names of a Linux root), a kernel+initrd directory (`vmlinuz`, `initrd.img`, `cmdline`), a tar archive for `oci-archive` and `docker-archive`, an ISO 9660 image for `iso`. Anything else may be your data: choose another path, remove it yourself, or pass `--force` to replace it.",
  },
  MCC521: {
    title: "output would replace the spec or the current directory",
    template: "the output {path} is {relation}; mcc never replaces it",
    help: "Replacing that path would delete the spec, its files or the directory you work in. Choose an output path inside or beside them, not above. `--force` does not change this.",
  },
  MCC600: {
    title: "image cannot be read",
    template: "cannot read the image: {reason}",
    help: "`mcc minify` reads an OCI layout (`DIR` or `DIR:TAG`), an oci-archive or a docker-archive (what `docker save` writes), or a rootfs directory. The message says what was wrong: a missing path, a tar that is none of these, a tag or platform the image does not have.",
  },
  MCC601: {
    title: "the image runs nothing",
    template: "the image's config has no Entrypoint and no Cmd",
    help: "There is no program to keep. Say which one with `--executable PATH` (and `--args ...`), or `executable` in a `--spec` file.",
  },
  MCC602: {
    title: "command not on the image's PATH",
    template: "{name} is not on the image's PATH ({path})",
    help: "The image starts a bare command name, which a runtime looks up in the PATH of the image's Env; no directory of it has that file in the image. Check the name, or give the program's absolute path with `--executable`.",
  },
  MCC603: {
    title: "architecture not supported",
    template: "the image is for {arch}; mcc traces {supported}",
    help: "The tracer knows the ELF machines and library directories of these architectures only. Pick another platform of a multi-platform image with `--arch`.",
  },
  MCC604: {
    title: "field not used by minify",
    template: "`{field}` has no meaning for `mcc minify`: {reason}",
    help: "A minify spec is a compile spec without its package source: the files come from the image, so `from`, `packages` and `boot` are refused rather than ignored. Remove the field.",
  },
  MCC605: {
    title: "user not in the image",
    template: "the user {user} is not in the image's /etc/passwd (or its group in /etc/group)",
    help: "A user or group given by name must exist in the image, as the runtime would look it up there. Give numbers (`--user 1000:1000`) or a name the image has.",
  },
  MCC606: {
    title: "output format not supported by minify",
    template: "`mcc minify` cannot write {format} outputs",
    help: "Minify writes oci, oci-archive, docker-archive and rootfs outputs. Bootable outputs need a kernel from the Debian archive, which an image does not pin; compile a spec for those.",
  },
  MCC610: {
    title: "executable not in the image",
    template: "the executable {path} is not in the image",
    help: "No file of the image is at that path (after following the image's symlinks). The note lists the image's programs with that name or a close one.",
  },
  MCC611: {
    title: "needed library not in the image",
    template: "{name}, needed by {by}, is not in the image",
    help: "An ELF file the microcontainer keeps needs a shared library (DT_NEEDED) that the image has in none of the directories ld.so searches; the image itself could not run it either. The note lists the directories searched.",
  },
  MCC612: {
    title: "interpreter not in the image",
    template: "the interpreter {path} of {by} is not in the image",
    help: "A script's `#!` line or an ELF's PT_INTERP names a program the image does not have.",
  },
} as const satisfies Record<string, DiagnosticDefinition>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

/** Fills a template's `{name}` placeholders; a missing argument is a bug in mcc, not the user's. */
export function formatMessage(code: DiagnosticCode, args: Readonly<Record<string, string | number>>): string {
  return DIAGNOSTICS[code].template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = args[key];
    if (value === undefined) throw new Error(`diagnostic ${code} is missing argument "${key}"`);
    // A message is one line: a value's control characters are shown escaped, never printed.
    return oneLine(String(value));
  });
}
