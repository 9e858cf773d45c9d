import { posix } from "node:path";
import type { Host } from "../host/host.js";
import type { Spec } from "../types/spec.js";

/** The spec's files: inline content, or read from beside the spec (checked at validation). */
export async function readSpecFiles(host: Host, spec: Spec, specPath: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const file of spec.files) {
    files.set(file.path, file.kind === "content" ? new TextEncoder().encode(file.content) : await host.readFile(posix.join(posix.dirname(specPath), file.source)));
  }
  return files;
}
