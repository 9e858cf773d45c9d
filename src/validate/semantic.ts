import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { positionAt } from "../types/source-text.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { isLocalPackage, packageNameProblem, splitPackageRef, versionProblem } from "../debian/package-ref.js";
import { absolutePathProblem, isWithin } from "../paths/absolute.js";
import { describeControl } from "../paths/names.js";
import { treeGlob } from "../paths/tree-glob.js";
import { TARBALL } from "../paths/tree-glob.js";
import { parseGlob } from "../paths/glob.js";
import { childPointer, type SpecAst } from "../types/ast.js";
import { DEFAULTS, defaultOutputPath } from "./defaults.js";
import { fieldName, locate } from "../diagnostics/locate.js";

/**
 * Checks of meaning that a JSON Schema cannot express: absolute and normal paths, duplicates,
 * Debian names and versions, globs, mirror URLs, port ranges, where repo files may come from.
 * They read the raw value defensively, so they report alongside schema errors in one run.
 * Pure: whether a `files.source` exists is checked later, at the I/O edge.
 */
export function checkSemantics(ast: SpecAst): Diagnostic[] {
  const out: Diagnostic[] = [];
  const root = asRecord(ast.value);
  if (root === undefined) return out;
  const report = (pointer: string, code: DiagnosticCode, args: Record<string, string | number>, hint?: string) =>
    out.push(diagnosticAt(ast.source, locate(ast, pointer), code, args, hint));
  const lineOf = (pointer: string) => positionAt(ast.source, locate(ast, pointer).start).line;

  const checkAbsolute = (pointer: string, value: unknown): value is string => {
    if (typeof value !== "string") return false;
    const problem = absolutePathProblem(value);
    if (problem?.kind === "relative") report(pointer, "MCC300", { field: fieldName(pointer), value });
    else if (problem?.kind === "abnormal") report(pointer, "MCC301", { field: fieldName(pointer), value, reason: problem.reason });
    return problem === undefined;
  };

  if (checkAbsolute("/executable", root["executable"]) && root["executable"] === "/") {
    report("/executable", "MCC301", { field: "executable", value: "/", reason: "the root is a directory, not a program" });
  }
  // Names on a file system hold no control character; an argument holds no NUL.
  forEachItem(root["args"], "/args", (item, pointer) => {
    if (typeof item === "string" && item.includes("\0")) report(pointer, "MCC318", { field: "an argument", value: item, what: "a NUL character, which no program can receive" });
  });
  for (const key of ["include", "exclude"] as const) {
    forEachItem(root[key], `/${key}`, (item, pointer) => {
      const what = typeof item === "string" ? describeControl(item) : undefined;
      if (what !== undefined) report(pointer, "MCC318", { field: `the ${key} glob`, value: item as string, what });
    });
  }
  const outputList = Array.isArray(root["output"]) ? root["output"] : root["output"] === undefined ? [] : [root["output"]];
  outputList.forEach((item, i) => {
    const path = asRecord(item)?.["path"];
    const what = typeof path === "string" ? describeControl(path) : undefined;
    const pointer = childPointer(Array.isArray(root["output"]) ? childPointer("/output", i) : "/output", "path");
    if (what !== undefined) report(pointer, "MCC318", { field: "the output path", value: path as string, what });
  });
  checkAbsolute("/workdir", root["workdir"]);

  // A static address: a host of its network, and the gateway on that network.
  const network = asRecord(asRecord(root["boot"])?.["network"]);
  const address = typeof network?.["address"] === "string" ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(network["address"]) : null;
  if (address !== null) {
    const ip = (octets: readonly string[]) => octets.reduce((n, o) => n * 256 + Number(o), 0);
    const prefix = Number(address[5]);
    const size = 2 ** (32 - prefix);
    const host = ip(address.slice(1, 5));
    const base = Math.floor(host / size) * size;
    if (prefix < 31 && (host === base || host === base + size - 1)) report("/boot/network/address", "MCC333", { address: network?.["address"] as string, what: host === base ? "name" : "broadcast address" });
    const gateway = typeof network?.["gateway"] === "string" ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(network["gateway"]) : null;
    if (gateway !== null && Math.floor(ip(gateway.slice(1, 5)) / size) * size !== base) report("/boot/network/gateway", "MCC332", { gateway: gateway[0], address: network?.["address"] as string });
  }

  // Packages: Debian names and versions, each listed once.
  const packageLines = new Map<string, string>();
  forEachItem(root["packages"], "/packages", (item, pointer) => {
    if (typeof item !== "string") return;
    if (isLocalPackage(item)) {
      // A local .deb: a file of the repository, read when the spec is locked.
      if (!item.endsWith(".deb")) report(pointer, "MCC325", { value: item });
      else if (sourceEscapes(item)) report(pointer, "MCC326", { value: item });
      const what = describeControl(item);
      if (what !== undefined) report(pointer, "MCC318", { field: "the package path", value: item, what });
      return;
    }
    const { name, version } = splitPackageRef(item);
    const nameProblem = packageNameProblem(name);
    if (nameProblem !== undefined) report(pointer, "MCC303", { value: name, reason: nameProblem });
    if (version !== undefined) {
      const problem = versionProblem(version);
      if (problem !== undefined) report(pointer, "MCC304", { value: version, reason: problem });
    }
    const first = packageLines.get(name);
    if (first !== undefined) report(pointer, "MCC305", { value: name, line: lineOf(first) });
    else packageLines.set(name, pointer);
  });

  // Mounts: absolute, not the root, each place once.
  const mountSeen = new Map<string, string>();
  // Without a `mounts` list the defaults apply, and hide files just the same.
  const mounts: { path: string; type: string }[] = root["mounts"] === undefined ? [...DEFAULTS.mounts] : [];
  forEachItem(root["mounts"], "/mounts", (item, pointer) => {
    const mount = asRecord(item);
    const pathPointer = childPointer(pointer, "path");
    if (mount === undefined || !checkAbsolute(pathPointer, mount["path"])) return;
    const path = mount["path"] as string;
    if (path === "/") {
      report(pathPointer, "MCC301", { field: fieldName(pathPointer), value: path, reason: "the root itself cannot be a mount" });
      return;
    }
    const first = mountSeen.get(path);
    if (first !== undefined) report(pathPointer, "MCC302", { value: path, line: lineOf(first) });
    else mountSeen.set(path, pathPointer);
    if (typeof mount["type"] === "string") mounts.push({ path, type: mount["type"] });
  });

  // Files: absolute targets, each once, not hidden by a tmpfs; sources inside the spec's directory.
  const fileSeen = new Map<string, string>();
  forEachItem(root["files"], "/files", (item, pointer) => {
    const file = asRecord(item);
    if (file === undefined) return;
    const pathPointer = childPointer(pointer, "path");
    if (checkAbsolute(pathPointer, file["path"])) {
      const path = file["path"] as string;
      if (path === "/") report(pathPointer, "MCC301", { field: fieldName(pathPointer), value: path, reason: "the root is a directory, not a file" });
      const first = fileSeen.get(path);
      if (first !== undefined) report(pathPointer, "MCC310", { value: path, line: lineOf(first) });
      else fileSeen.set(path, pathPointer);
      for (const m of mounts) {
        if (m.type === "tmpfs" && isWithin(path, m.path)) report(pathPointer, "MCC311", { value: path, type: m.type, mount: m.path });
      }
    }
    const source = file["source"];
    if (typeof source === "string" && sourceEscapes(source)) report(childPointer(pointer, "source"), "MCC308", { value: source });
    const sourceControl = typeof source === "string" ? describeControl(source) : undefined;
    if (sourceControl !== undefined) report(childPointer(pointer, "source"), "MCC318", { field: "the source", value: source as string, what: sourceControl });
    const modePointer = childPointer(pointer, "mode");
    const mode = file["mode"];
    const raw = ast.locations.get(modePointer)?.raw;
    // YAML reads `mode: 644` as six hundred and forty-four; nobody means that.
    if (typeof mode === "number" && mode > 7 && raw !== undefined && /^[1-7][0-7]*$/.test(raw)) {
      report(modePointer, "MCC312", { value: raw });
    }
    // `0999` or `999`: 8 and 9 are not octal digits, whatever the leading zero says.
    if (typeof mode === "number" && raw !== undefined && /^[0-9]*[89][0-9]*$/.test(raw)) report(modePointer, "MCC319", { value: raw });
    // `unpack`: a tar archive of the repository, unpacked under the path.
    if (file["unpack"] === true && (typeof source !== "string" || !TARBALL.test(source))) {
      report(childPointer(pointer, "unpack"), "MCC329", { value: typeof source === "string" ? source : "inline content" });
    }
    // A directory's exclusions: globs relative to it.
    forEachItem(file["exclude"], childPointer(pointer, "exclude"), (pattern, at) => {
      if (typeof pattern !== "string") return;
      if (source === undefined) report(at, "MCC320", { value: pattern });
      else {
        const parsed = treeGlob(pattern);
        if (!parsed.ok) report(at, "MCC306", { value: pattern, reason: parsed.reason });
      }
    });
  });

  // Globs.
  for (const key of ["include", "exclude"] as const) {
    forEachItem(root[key], `/${key}`, (item, pointer) => {
      if (typeof item !== "string") return;
      const parsed = parseGlob(item);
      if (!parsed.ok) report(pointer, "MCC306", { value: item, reason: parsed.reason });
    });
  }

  // The mirror.
  const from = asRecord(root["from"]);
  const mirror = from?.["mirror"];
  if (typeof mirror === "string") {
    const problem = mirrorProblem(mirror);
    if (problem !== undefined) report("/from/mirror", "MCC314", { value: mirror, reason: problem });
  }

  // Ports: in range, each once.
  const portSeen = new Set<string>();
  forEachItem(root["ports"], "/ports", (item, pointer) => {
    const port = parsePort(item);
    if (port === undefined) return;
    // A number out of range is the schema's to report; a string's number is ours.
    if (typeof item === "string" && (port.port < 1 || port.port > 65535)) {
      report(pointer, "MCC315", { value: port.port });
      return;
    }
    const key = `${port.port}/${port.protocol}`;
    if (portSeen.has(key)) report(pointer, "MCC316", { value: key });
    portSeen.add(key);
  });

  // Outputs: two outputs may not write one path (the defaults included).
  const name = typeof root["name"] === "string" ? root["name"] : "image";
  const outputs = Array.isArray(root["output"]) ? root["output"] : root["output"] === undefined ? [] : [root["output"]];
  const outputSeen = new Map<string, string>();
  outputs.forEach((item, i) => {
    const output = asRecord(item);
    if (output === undefined || typeof output["format"] !== "string") return;
    const pointer = Array.isArray(root["output"]) ? childPointer("/output", i) : "/output";
    const path = typeof output["path"] === "string" ? output["path"] : defaultOutputPath(name, output["format"]);
    const first = outputSeen.get(path);
    if (first !== undefined) report(pointer, "MCC313", { value: path, line: lineOf(first) });
    else outputSeen.set(path, pointer);
  });

  return out;
}

/** Whether a repo-relative source leaves the spec's directory (or is absolute). */
export function sourceEscapes(source: string): boolean {
  if (source.startsWith("/") || /^[A-Za-z]:[\\/]/.test(source)) return true;
  let depth = 0;
  for (const segment of source.split(/[\\/]/)) {
    if (segment === "..") depth--;
    else if (segment !== "" && segment !== ".") depth++;
    if (depth < 0) return true;
  }
  return false;
}

function mirrorProblem(mirror: string): string | undefined {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    return "a URL";
  }
  if (!["http:", "https:", "file:"].includes(url.protocol)) return "an http, https or file URL";
  if (url.search !== "" || url.hash !== "") return "a plain archive base URL (no query or fragment)";
  return undefined;
}

/** A port as `8080`, `"8080"` or `"8080/udp"`; undefined when it is not of that form. */
export function parsePort(item: unknown): { port: number; protocol: "tcp" | "udp" | "sctp" } | undefined {
  if (typeof item === "number" && Number.isInteger(item)) return { port: item, protocol: "tcp" };
  if (typeof item !== "string") return undefined;
  const m = /^([0-9]{1,5})(?:\/(tcp|udp|sctp))?$/.exec(item);
  if (m === null) return undefined;
  return { port: Number(m[1]), protocol: (m[2] ?? "tcp") as "tcp" | "udp" | "sctp" };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function forEachItem(list: unknown, pointer: string, visit: (item: unknown, pointer: string) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => visit(item, childPointer(pointer, i)));
}

