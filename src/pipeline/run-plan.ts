/**
 * Running a plan, as every build command does: the same handlers, the same limits (as many
 * steps at once as cores, downloads in their own slots), emit never cached. `runOutputs` also
 * makes the outputs' directories first and says what each output step wrote.
 */
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { executePlan, type ExecuteEvents, type StepCache } from "../execute/execute.js";
import type { BuildPlan, PlanStepOf } from "../plan/build-plan.js";
import { stepHandlers, writingOutput, type StepEnv } from "../steps/handlers.js";

/** Parallel downloads, whatever the number of cores: a fetch waits on the network, not the processor. */
const DOWNLOADS = 8;

/** The results of `targets` (and of what they needed that was not cached). */
export function runSteps(plan: BuildPlan, env: StepEnv, cache: StepCache, targets: readonly string[], events: ExecuteEvents = {}): Promise<ReadonlyMap<string, unknown>> {
  return executePlan(plan, stepHandlers(env), cache, { parallel: availableParallelism(), uncached: new Set(["emit"]), pools: { fetch: DOWNLOADS }, targets }, events);
}

/** What one output step wrote: its path, the image digest of an OCI output, the documents beside it. */
export interface Written {
  readonly step: PlanStepOf<"emit">;
  readonly path: string;
  readonly digest?: string;
  readonly sboms: readonly string[];
  readonly provenance: readonly string[];
}

/**
 * Every output of the plan (and the results of `also`): their directories made first, so a
 * place that cannot be written fails before any work (OutputError, from writingOutput).
 */
export async function runOutputs(plan: BuildPlan, env: StepEnv, cache: StepCache, also: readonly string[], events: ExecuteEvents = {}): Promise<{ results: ReadonlyMap<string, unknown>; written: Written[] }> {
  const emits = plan.steps.filter((s): s is PlanStepOf<"emit"> => s.kind === "emit");
  for (const step of emits) await writingOutput(step.params.path, () => env.host.mkdir(dirname(resolve(env.cwd, step.params.path))));
  const results = await runSteps(plan, env, cache, [...emits.map((s) => s.id), ...also], events);
  const written = emits.map((step) => {
    const r = results.get(step.id) as { path: string; digest?: string; sboms?: string[]; provenance?: string[] };
    return { step, path: r.path, ...(r.digest === undefined ? {} : { digest: r.digest }), sboms: r.sboms ?? [], provenance: r.provenance ?? [] };
  });
  return { results, written };
}
