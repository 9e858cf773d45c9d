import { createHash } from "node:crypto";
import { posix } from "node:path";
import { parseParagraphs } from "../debian/deb822.js";
import { packageNameProblem, versionProblem } from "../debian/package-ref.js";
import { ArFormatError } from "../extract/ar.js";
import { HostError, type Host } from "../host/host.js";
import { parsePackagesIndex } from "./package-catalog.js";
import type { PackageRecord } from "./packages-index.js";

/** Where a local package comes from, in its record and in the lock: the spec's directory. */
export const LOCAL_BASE = "local";

/**
 * A local `.deb` as a candidate of the resolution, beside the archive's packages (as apt takes
 * `apt install ./app.deb`): its control file's fields, its path relative to the spec's
 * directory as the filename, and its size and sha256 as read; or why it cannot be one.
 */
export async function readLocalDeb(host: Host, specDir: string, path: string): Promise<{ record: PackageRecord } | { problem: string }> {
  const hash = createHash("sha256");
  let size = 0;
  let control: Uint8Array | undefined;
  const { DebFormatError, readDeb } = await import("../extract/deb.js");
  try {
    const hashed = (async function* () {
      for await (const chunk of host.readStream(posix.join(specDir, path))) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    })();
    const contents = await readDeb(hashed, async (_entry, content) => {
      if (content !== undefined) for await (const _ of content) void _;
    });
    control = contents.control.get("control");
  } catch (error) {
    if (error instanceof DebFormatError || error instanceof ArFormatError) return { problem: `is not a .deb: ${error.message.replace(/^not a \.deb: /, "")}` };
    if (error instanceof HostError) return { problem: `cannot be read: ${error.reason}` };
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string") return { problem: `cannot be read: ${code}` };
    // A truncated or corrupt member surfaces from the decompressors and tar reader as their own errors.
    return { problem: `is not a .deb: ${(error as Error).message}` };
  }
  if (control === undefined) return { problem: "is not a .deb: it has no control file" };
  const [paragraph] = parseParagraphs(new TextDecoder().decode(control));
  const field = (name: string) => paragraph?.get(name.toLowerCase())?.trim();
  for (const name of ["Package", "Version", "Architecture"]) {
    if (!field(name)) return { problem: `has no ${name} field in its control file` };
  }
  const nameProblem = packageNameProblem(field("Package") as string);
  if (nameProblem !== undefined) return { problem: `names itself "${field("Package")}" in its control file: ${nameProblem}` };
  const versionIssue = versionProblem(field("Version") as string);
  if (versionIssue !== undefined) return { problem: `has the version "${field("Version")}" in its control file: ${versionIssue}` };
  // The same record an archive's Packages index would give for it.
  const kept = ["Package", "Version", "Architecture", "Multi-Arch", "Essential", "Priority", "Pre-Depends", "Depends", "Provides", "Source"];
  const stanza = kept.flatMap((name) => (field(name) === undefined ? [] : [`${name}: ${(field(name) as string).replace(/\n/g, "\n ")}`]));
  stanza.push(`Filename: ${posix.normalize(path)}`, `Size: ${size}`, `SHA256: ${hash.digest("hex")}`);
  const [record] = parsePackagesIndex(stanza.join("\n") + "\n", LOCAL_BASE, LOCAL_BASE);
  return record === undefined ? { problem: "has a control file mcc cannot read" } : { record };
}
