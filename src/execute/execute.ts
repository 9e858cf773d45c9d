import type { BuildPlan, PlanStep, StepKind } from "../plan/build-plan.js";

/** Runs one kind of step: its inputs' results in, its own (JSON-serializable) result out. */
export type StepHandler = (step: PlanStep, inputs: readonly unknown[]) => Promise<unknown>;

/** Where step results are kept by step id; a present result is reused, never recomputed. */
export interface StepCache {
  get(id: string): Promise<unknown | undefined>;
  set(id: string, result: unknown): Promise<void>;
}

export interface ExecuteEvents {
  onStep?(step: PlanStep, how: "cached" | "ran", done: number, total: number): void;
}

export interface ExecuteOptions {
  /** How many steps may run at once. */
  readonly parallel: number;
  /** Kinds whose results are not cached (those that write outside the cache). */
  readonly uncached: ReadonlySet<StepKind>;
  /** Run only these steps and what they need (default: all). */
  readonly targets?: readonly string[];
}

/**
 * Runs a plan: every step once its inputs are done, at most `parallel` at a time, each
 * reusing its cached result when there is one. A failing step stops the run: no step that
 * depends on it starts, and the error is thrown once the running steps have settled.
 */
export async function executePlan(
  plan: BuildPlan,
  handlers: Readonly<Record<StepKind, StepHandler>>,
  cache: StepCache,
  options: ExecuteOptions,
  events: ExecuteEvents = {},
): Promise<ReadonlyMap<string, unknown>> {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const wanted = new Set<string>();
  const want = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const input of byId.get(id)?.inputs ?? []) want(input);
  };
  for (const id of options.targets ?? plan.steps.map((s) => s.id)) want(id);
  const steps = plan.steps.filter((s) => wanted.has(s.id));

  const results = new Map<string, unknown>();
  const started = new Set<string>();
  let done = 0;
  let failure: unknown;
  let running = 0;

  await new Promise<void>((resolve) => {
    const pump = () => {
      if (failure !== undefined) {
        if (running === 0) resolve();
        return;
      }
      if (done === steps.length) {
        resolve();
        return;
      }
      for (const step of steps) {
        if (running >= options.parallel) break;
        if (started.has(step.id) || !step.inputs.every((i) => results.has(i))) continue;
        started.add(step.id);
        running++;
        void runStep(step).then(
          () => {
            running--;
            done++;
            pump();
          },
          (error: unknown) => {
            running--;
            failure ??= error;
            pump();
          },
        );
      }
    };
    const runStep = async (step: PlanStep) => {
      const cacheable = !options.uncached.has(step.kind);
      const cached = cacheable ? await cache.get(step.id) : undefined;
      if (cached !== undefined) {
        results.set(step.id, cached);
        events.onStep?.(step, "cached", done + 1, steps.length);
        return;
      }
      const result = await handlers[step.kind](step, step.inputs.map((i) => results.get(i)));
      if (cacheable) await cache.set(step.id, result);
      results.set(step.id, result);
      events.onStep?.(step, "ran", done + 1, steps.length);
    };
    pump();
  });
  if (failure !== undefined) throw failure;
  return results;
}
