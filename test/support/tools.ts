// The outside tools a test needs: when one is missing, the test fails with one line naming it
// and the Debian package that provides it (test/tools.json, the table the test command
// installs from), instead of an ENOENT deep inside a helper.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../helpers.js";

// The installer's own table and check (test/install-tools.mjs), so the two never disagree.
const installer = (await import(pathToFileURL(join(repoRoot, "test", "install-tools.mjs")).href)) as {
  toolTable: { commands: Record<string, string>; files: Record<string, string> };
  hasTool(tool: string): boolean;
};
const table = installer.toolTable;
const present = new Map<string, boolean>();

/** Whether a command is on the PATH (or, for an absolute path, whether the file exists). */
export function hasTool(tool: string): boolean {
  let known = present.get(tool);
  if (known === undefined) {
    known = installer.hasTool(tool);
    present.set(tool, known);
  }
  return known;
}

/** "runc (Debian package runc)": a tool and where it comes from. */
export function describeTool(tool: string): string {
  const packages = table.commands[tool] ?? table.files[tool];
  return packages === undefined ? tool : `${tool} (Debian package ${packages.split(" ").join(" and ")})`;
}

/** The first of `tools` that is missing, as one line, or undefined when all are there. */
export function missingTool(...tools: string[]): string | undefined {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) return undefined;
  return `missing ${missing.map(describeTool).join(", ")}: the test command installs it when run as root`;
}

/** Throws one line naming the missing tools and their packages; returns when all are there. */
export function needTools(...tools: string[]): void {
  const line = missingTool(...tools);
  if (line !== undefined) throw new Error(line);
}

/** Throws unless we are root: runc and the mount-heavy tests need it. */
export function needRoot(why: string): void {
  if (process.getuid?.() !== 0) throw new Error(`needs root: ${why}`);
}
