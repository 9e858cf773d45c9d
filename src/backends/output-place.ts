/**
 * Where an output may be written. mcc replaces a path only when nothing is there, when it is
 * an empty directory, when mcc's SBOM or provenance document of it lies beside it (mcc wrote
 * it), or when it holds an output of the same format (another tool's image of that format);
 * anything else may be the user's data and is refused unless `--force`. A path that holds the spec or the current directory (the path itself or a
 * directory above it) is refused always: replacing it would delete the spec and its files.
 */
import { posix } from "node:path";
import type { Host } from "../host/host.js";
import { isWithin } from "../paths/absolute.js";
import type { OutputFormat } from "../types/spec.js";

/** Why an output may not go where it was asked to. */
export type OutputPlaceProblem =
  | { readonly code: "MCC520"; readonly what: string }
  | { readonly code: "MCC521"; readonly relation: string };

/** The top-level names of a Linux root (FHS, merged /usr, and the microcontainer's /read and /write). */
const ROOT_NAMES = new Set(["bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt", "opt", "proc", "read", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var", "write"]);

/** What each directory format leaves at its top, and nothing else. */
const DIRECTORY_NAMES: Partial<Record<OutputFormat, { readonly all: ReadonlySet<string>; readonly required: string }>> = {
  oci: { all: new Set(["oci-layout", "index.json", "blobs"]), required: "oci-layout" },
  rootfs: { all: ROOT_NAMES, required: "usr" },
  "kernel+initrd": { all: new Set(["vmlinuz", "initrd.img", "cmdline"]), required: "vmlinuz" },
};

const DESCRIBED: Record<OutputFormat, string> = {
  oci: "an OCI layout",
  rootfs: "a root file system",
  "kernel+initrd": "a kernel+initrd directory",
  "oci-archive": "a tar archive",
  "docker-archive": "a tar archive",
  iso: "an ISO 9660 image",
  raw: "a GPT disk image",
  qcow2: "a qcow2 image",
};

/**
 * Checks one output path (absolute). `keep`: the absolute real paths that must survive (the
 * spec's directory, the current directory). Returns the problem, or undefined when the path
 * may be written.
 */
export async function checkOutputPlace(host: Host, path: string, format: OutputFormat, keep: readonly { path: string; name: string }[], force: boolean): Promise<OutputPlaceProblem | undefined> {
  const real = await host.realpath(path);
  if (real === undefined) return undefined;
  for (const k of keep) {
    if (k.path === real) return { code: "MCC521", relation: k.name };
    if (isWithin(k.path, real)) return { code: "MCC521", relation: `a directory above ${k.name}` };
  }
  if (force) return undefined;
  const stat = await host.stat(real);
  if (stat === undefined || (await mccWroteIt(host, path))) return undefined;
  const names = DIRECTORY_NAMES[format];
  if (names !== undefined) {
    if (stat.kind !== "directory") return { code: "MCC520", what: stat.kind === "file" ? "a file" : "something that is not a directory" };
    const entries = (await host.readdir(real)) ?? [];
    if (entries.length === 0) return undefined;
    if (entries.includes(names.required) && entries.every((e) => names.all.has(e))) return undefined;
    const shown = entries.slice(0, 4).join(", ") + (entries.length > 4 ? ", ..." : "");
    return { code: "MCC520", what: `a directory of ${entries.length} entr${entries.length === 1 ? "y" : "ies"} (${shown}) that is not ${DESCRIBED[format]}` };
  }
  if (stat.kind !== "file") return { code: "MCC520", what: stat.kind === "directory" ? "a directory" : "something that is not a file" };
  if (isFormat(format, await host.readPrefix(real, ISO_MAGIC_AT + 5))) return undefined;
  return { code: "MCC520", what: `a file that is not ${DESCRIBED[format]}` };
}

/**
 * Whether mcc's own document about an output lies beside it: `<output>.spdx.json` (its creator
 * is `Tool: mcc-...`) or `<output>.provenance.json` (schema mcc.provenance.v1 or v2), as compile and
 * minify write them. Read from their first bytes, where those fields are.
 */
async function mccWroteIt(host: Host, path: string): Promise<boolean> {
  for (const [suffix, mark] of [[".provenance.json", '"schema":"mcc.provenance.v'], [".spdx.json", '"Tool: mcc-']] as const) {
    const stat = await host.stat(path + suffix);
    if (stat?.kind !== "file") continue;
    if (new TextDecoder().decode(await host.readPrefix(path + suffix, 4096)).includes(mark)) return true;
  }
  return false;
}

/** ustar's magic at byte 257 of a tar; "CD001" in the first volume descriptor (sector 16) of an ISO. */
const TAR_MAGIC_AT = 257;
const ISO_MAGIC_AT = 16 * 2048 + 1;

function isFormat(format: OutputFormat, head: Uint8Array): boolean {
  const text = (at: number, length: number) => new TextDecoder("latin1").decode(head.subarray(at, at + length));
  if (format === "iso") return text(ISO_MAGIC_AT, 5) === "CD001";
  if (format === "raw") return text(512, 8) === "EFI PART";
  if (format === "qcow2") return text(0, 4) === "QFI\xfb";
  return text(TAR_MAGIC_AT, 5) === "ustar";
}

/** The places an output must never replace: the spec's directory and the current directory, as real paths. */
export async function placesToKeep(host: Host, cwd: string, specPath?: string): Promise<{ path: string; name: string }[]> {
  const keep: { path: string; name: string }[] = [];
  const specDir = specPath === undefined ? undefined : await host.realpath(posix.dirname(posix.resolve(cwd, specPath)));
  if (specDir !== undefined) keep.push({ path: specDir, name: "the spec's directory" });
  const here = await host.realpath(cwd);
  if (here !== undefined && here !== specDir) keep.push({ path: here, name: "the current directory" });
  return keep;
}
