import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderDiagnostic } from "../src/diagnostics/render.js";
import { createMemoryHost } from "../src/host/memory-host.js";
import { loadSpec, type LoadedSpec } from "../src/pipeline/load-spec.js";

/** The repository's root (tests run from `dist/test/`). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Loads a spec given as text (and optional neighbour files) through an in-memory host. */
export async function loadText(text: string | Uint8Array, files: Record<string, string> = {}): Promise<LoadedSpec> {
  const tree: Record<string, string | Uint8Array> = { "/repo/spec.yml": text };
  for (const [path, content] of Object.entries(files)) tree[join("/repo", path)] = content;
  return loadSpec(createMemoryHost(tree), "/repo/spec.yml", { defaultArch: "amd64" });
}

/** Loads a .mcc spec given as text (and optional neighbour files) through an in-memory host. */
export async function loadDsl(text: string | Uint8Array, files: Record<string, string> = {}): Promise<LoadedSpec> {
  const tree: Record<string, string | Uint8Array> = { "/repo/spec.mcc": text };
  for (const [path, content] of Object.entries(files)) tree[join("/repo", path)] = content;
  return loadSpec(createMemoryHost(tree), "/repo/spec.mcc", { defaultArch: "amd64" });
}

/** The diagnostics as the CLI prints them off a TTY, with the spec's directory removed. */
export function plainDiagnostics(loaded: LoadedSpec, dir = "/repo/"): string {
  return loaded.diagnostics
    .map((d) => renderDiagnostic(d, loaded.source, { excerpt: false, color: false }).split(dir).join(""))
    .join("\n");
}

/** The codes of a load's diagnostics, in order. */
export function codes(loaded: LoadedSpec): string[] {
  return loaded.diagnostics.map((d) => d.code);
}

/** A minimal valid spec, with overrides appended as YAML lines. */
export function minimalSpec(extra = ""): string {
  return `name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\n${extra}`;
}
