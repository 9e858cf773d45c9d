import { posix } from "node:path";
import { collectBytes, type Host } from "../host/host.js";
import { mergedUsrPath } from "../debian/merged-usr.js";
import { treeExcluder } from "../paths/tree-glob.js";
import type { Spec } from "../types/spec.js";
import { DEFAULT_PATH } from "../formats/oci-documents.js";

/**
 * What the spec's own files need from packages, read from them before anything is resolved:
 * each ELF's interpreter and `DT_NEEDED` libraries (searched where ld.so would look: RPATH
 * and RUNPATH with `$ORIGIN`, LD_LIBRARY_PATH, the default directories), and each script's
 * `#!` interpreter (for `#!/usr/bin/env NAME`, NAME on the PATH). `entry` is the index of the
 * `files` entry that added the file, for diagnostics.
 */
export type Need =
  | { readonly kind: "file"; readonly path: string; readonly by: string; readonly entry: number }
  | { readonly kind: "search"; readonly name: string; readonly dirs: readonly string[]; readonly what: "library" | "program"; readonly by: string; readonly entry: number };


export interface SpecFileNeeds {
  /** Every path the spec's files put into the image (merged-/usr form). */
  readonly paths: ReadonlySet<string>;
  readonly needs: readonly Need[];
}

/** The needs of the spec's own files on one architecture (ELF files of another are skipped). */
export async function specFileNeeds(host: Host, spec: Spec, specDir: string, arch: string): Promise<SpecFileNeeds> {
  const paths = new Set<string>();
  const needs: Need[] = [];
  // Most specs have no files of their own: the ELF reader and the tracer load only for those that do.
  if (spec.files.length === 0) return { paths, needs };
  const [{ isElf, readElf }, { defaultLibraryDirs, TRIPLETS }, { walkSourceTree, walkTarball }] = await Promise.all([
    import("../trace/elf.js"),
    import("../trace/trace.js"),
    import("../validate/source-tree.js"),
  ]);
  const target = TRIPLETS[arch];
  if (target === undefined) throw new Error(`no ELF target known for architecture ${arch}`);
  const triplet = target.triplet;
  const defaults = defaultLibraryDirs(triplet);
  const libraryPath = (spec.env["LD_LIBRARY_PATH"] ?? "").split(/[:;]/).filter((d) => d.startsWith("/"));
  const programPath = (spec.env["PATH"] ?? DEFAULT_PATH).split(":").filter((d) => d.startsWith("/"));

  const examine = async (imagePath: string, read: (length?: number) => Promise<Uint8Array>, entry: number) => {
    paths.add(mergedUsrPath(imagePath));
    const head = await read(256);
    if (head[0] === 0x23 && head[1] === 0x21) {
      const [interp, ...args] = new TextDecoder().decode(head).split("\n")[0]?.slice(2).trim().split(/\s+/) ?? [];
      if (interp === undefined || interp === "" || !interp.startsWith("/")) return;
      needs.push({ kind: "file", path: interp, by: imagePath, entry });
      const program = posix.basename(interp) === "env" ? args.find((a) => !a.startsWith("-")) : undefined;
      if (program !== undefined) {
        if (program.startsWith("/")) needs.push({ kind: "file", path: program, by: imagePath, entry });
        else needs.push({ kind: "search", name: program, dirs: programPath, what: "program", by: imagePath, entry });
      }
      return;
    }
    if (!isElf(head)) return;
    let elf: ReturnType<typeof readElf>;
    try {
      elf = readElf(await read());
    } catch {
      return; // the tracer reports a damaged ELF, with its place
    }
    if (elf.machine !== target.machine) return;
    if (elf.interpreter !== undefined) needs.push({ kind: "file", path: elf.interpreter, by: imagePath, entry });
    const origin = posix.dirname(imagePath);
    const expand = (d: string) => d.replace(/\$(ORIGIN|\{ORIGIN\})/g, origin).replace(/\$(LIB|\{LIB\})/g, `lib/${triplet}`);
    const own = (elf.runpath.length > 0 ? elf.runpath : elf.rpath).map(expand).map((d) => posix.normalize(d));
    const dirs = [...new Set([...(elf.runpath.length > 0 ? [] : own), ...libraryPath, ...(elf.runpath.length > 0 ? own : []), ...defaults])];
    for (const name of elf.needed) {
      if (name.includes("/")) needs.push({ kind: "file", path: name, by: imagePath, entry });
      else needs.push({ kind: "search", name, dirs, what: "library", by: imagePath, entry });
    }
  };

  for (const [entry, file] of spec.files.entries()) {
    if (file.kind === "content") {
      const bytes = new TextEncoder().encode(file.content);
      await examine(file.path, async (length) => (length === undefined ? bytes : bytes.subarray(0, length)), entry);
      continue;
    }
    const hostPath = posix.join(specDir, file.source);
    const info = await host.stat(hostPath);
    if (file.unpack && info?.kind === "file") {
      // A tarball's members, each read whole as it passes (ELF headers need the whole file).
      const found: { imagePath: string; bytes: Uint8Array }[] = [];
      const { items } = await walkTarball(host, hostPath, treeExcluder(file.exclude), async (rel, body) => {
        found.push({ imagePath: posix.join(file.path, rel), bytes: await collectBytes(body) });
      });
      for (const item of items) paths.add(mergedUsrPath(posix.join(file.path, item.rel)));
      for (const { imagePath, bytes } of found) await examine(imagePath, async (length) => (length === undefined ? bytes : bytes.subarray(0, length)), entry);
    } else if (info?.kind === "file") {
      await examine(file.path, (length) => (length === undefined ? host.readFile(hostPath) : host.readPrefix(hostPath, length)), entry);
    } else if (info?.kind === "directory") {
      const { items } = await walkSourceTree(host, hostPath, treeExcluder(file.exclude));
      for (const item of items) {
        const imagePath = posix.join(file.path, item.rel);
        if (item.kind !== "file") {
          paths.add(mergedUsrPath(imagePath));
          continue;
        }
        const from = posix.join(hostPath, item.rel);
        await examine(imagePath, (length) => (length === undefined ? host.readFile(from) : host.readPrefix(from, length)), entry);
      }
    }
  }
  return { paths, needs };
}

/** A need's signature for the lock's inputs: what is needed, not by which build of a file. */
export function needKey(need: Need): string {
  return need.kind === "file" ? `file ${need.path}` : `${need.what} ${need.name} in ${need.dirs.join(":")}`;
}
