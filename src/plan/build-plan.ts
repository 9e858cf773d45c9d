import { createHash } from "node:crypto";
import type { LockedArch } from "../resolve/lock.js";
import type { Spec, SpecOutput } from "../types/spec.js";

export type StepKind = "fetch" | "unpack" | "tree" | "layer" | "config" | "manifest" | "emit";

/**
 * One step of a build. Its id is the sha256 of its kind, its parameters and its inputs' ids,
 * so a step's id changes exactly when something it depends on changes, and a cached result
 * under that id is the result.
 */
export interface PlanStep {
  readonly id: string;
  readonly kind: StepKind;
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly inputs: readonly string[];
}

/** A build as a DAG of content-addressed steps, inputs before the steps that use them. */
export interface BuildPlan {
  readonly arch: string;
  readonly steps: readonly PlanStep[];
}

export interface PlanInputs {
  readonly spec: Spec;
  readonly locked: LockedArch;
  readonly arch: string;
  /** SOURCE_DATE_EPOCH: the only time in any output. */
  readonly epoch: number;
  readonly outputs: readonly SpecOutput[];
  /** The sha256 of each `files` entry's bytes (read at the edge), by image path. */
  readonly fileDigests: Readonly<Record<string, string>>;
}

/** The format version of the plan; bumped when a step's meaning changes, so old results are not reused. */
export const PLAN_VERSION = 3;

/** Spec + lock -> plan. Pure: no files, clock, environment or randomness. */
export function buildPlan(inputs: PlanInputs): BuildPlan {
  const { spec, locked, arch, epoch } = inputs;
  const steps: PlanStep[] = [];
  const add = (kind: StepKind, label: string, params: Record<string, unknown>, stepInputs: readonly string[]): string => {
    const id = createHash("sha256").update(JSON.stringify({ v: PLAN_VERSION, kind, params, inputs: stepInputs })).digest("hex");
    steps.push({ id, kind, label, params, inputs: stepInputs });
    return id;
  };

  const unpacked = locked.packages.map((p) => {
    const fetch = add("fetch", `fetch ${p.name} ${p.version}`, { name: p.name, version: p.version, arch: p.arch, sha256: p.sha256, size: p.size, filename: p.filename, archive: p.archive }, []);
    return add("unpack", `unpack ${p.name}`, { name: p.name, sha256: p.sha256 }, [fetch]);
  });

  // Everything of the spec that decides which files the image holds, and how they are laid out.
  const tree = add(
    "tree",
    "trace and lay out the image",
    {
      arch,
      release: spec.from.release,
      executable: spec.executable,
      include: spec.include,
      exclude: spec.exclude,
      env: spec.env,
      user: spec.user,
      workdir: spec.workdir,
      mounts: spec.mounts,
      files: spec.files.map((f) => ({ path: f.path, mode: f.mode, sha256: inputs.fileDigests[f.path] ?? null })),
    },
    unpacked,
  );
  const layer = add("layer", "write the layer (tar+gzip)", { epoch }, [tree]);
  // Everything of the spec that the image config says: changing it reuses the layer.
  const config = add(
    "config",
    "write the image config",
    {
      arch,
      epoch,
      name: spec.name,
      executable: spec.executable,
      args: spec.args,
      env: spec.env,
      user: spec.user,
      workdir: spec.workdir,
      mounts: spec.mounts,
      ports: spec.ports,
      labels: spec.labels,
    },
    [layer],
  );
  const manifest = add("manifest", "write the image manifest", { epoch, name: spec.name }, [config, layer]);
  for (const output of inputs.outputs) {
    const from = output.format === "rootfs" ? [tree] : output.format === "docker-archive" ? [tree, config] : [manifest, config, layer];
    add("emit", `write ${output.format} ${output.path}`, { format: output.format, path: output.path, tag: spec.tag, name: spec.name }, from);
  }
  return { arch, steps };
}

/** The plan as a readable tree: each output and what it is made of. */
export function renderPlanTree(plan: BuildPlan): string {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const lines: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, depth: number) => {
    const step = byId.get(id);
    if (step === undefined) return;
    const again = seen.has(id);
    seen.add(id);
    lines.push(`${"  ".repeat(depth)}${step.label}  ${id.slice(0, 12)}${again && step.inputs.length > 0 ? " (above)" : ""}`);
    if (!again) for (const input of step.inputs) visit(input, depth + 1);
  };
  for (const step of plan.steps.filter((s) => s.kind === "emit")) visit(step.id, 0);
  return lines.join("\n");
}

/** The plan in Graphviz's dot language. */
export function renderPlanDot(plan: BuildPlan): string {
  const lines = ["digraph mcc {", "  rankdir=LR;", "  node [shape=box, fontname=monospace];"];
  for (const s of plan.steps) lines.push(`  "${s.id.slice(0, 12)}" [label=${JSON.stringify(`${s.label}\n${s.id.slice(0, 12)}`)}];`);
  for (const s of plan.steps) for (const i of s.inputs) lines.push(`  "${i.slice(0, 12)}" -> "${s.id.slice(0, 12)}";`);
  lines.push("}");
  return lines.join("\n");
}
