import type { BuildPlan, PlanStep, StepKind, StepParams } from "../plan/build-plan.js";

/**
 * What each kind of step does: given its own parameters and its inputs' results, and nothing
 * of the step's surroundings that could change its result, it returns its (JSON) result.
 * `inputIds` are the inputs' step ids, which name their results as a digest would (a step's id
 * is the digest of its kind, parameters and inputs' ids): a handler that keeps something of its
 * own in the cache may key it by them instead of hashing the results.
 */
export type StepHandlers = { readonly [K in StepKind]: (params: StepParams[K], inputs: readonly unknown[], inputIds: readonly string[]) => Promise<unknown> };

/** Where a cached result came from: this machine's cache, or a shared one (a registry). */
export type CacheHit = { readonly result: unknown; readonly from: "local" | "remote" };

/** Where step results are kept by step id; a present result is reused, never recomputed. */
export interface StepCache {
  get(step: PlanStep): Promise<CacheHit | undefined>;
  set(step: PlanStep, result: unknown): Promise<void>;
}

export interface ExecuteEvents {
  /** `cached`: from this machine's cache; `remote`: from the shared cache; `ran`: computed. */
  onStep?(step: PlanStep, how: "cached" | "remote" | "ran", done: number, total: number): void;
}

export interface ExecuteOptions {
  /** How many steps may run at once. */
  readonly parallel: number;
  /** Kinds whose results are not cached (those that write outside the cache). */
  readonly uncached: ReadonlySet<StepKind>;
  /**
   * Kinds that wait on the network rather than the processor, each with its own number of
   * slots beside the `parallel` shared by the rest (downloads are not bound by cores).
   */
  readonly pools?: Readonly<Partial<Record<StepKind, number>>>;
  /** The steps whose results are wanted (default: those no other step takes as input). */
  readonly targets?: readonly string[];
}

/**
 * Runs a plan from its targets down: a step whose result is cached is taken as it is, and
 * what it was made from is not visited at all (a warm build never opens a package; a
 * shared cache spares the packages' download). A step that must run first gets its inputs
 * the same way, then runs, at most `parallel` handlers at a time. A failing step stops the
 * run: no handler starts after it, and the error is thrown once the running ones settle.
 * `total` in the events counts every step the targets could need; steps a cached result
 * made unnecessary are never reported, so `done` may end below it.
 */
export async function executePlan(
  plan: BuildPlan,
  handlers: StepHandlers,
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
  const used = new Set(plan.steps.flatMap((s) => s.inputs));
  const targets = options.targets ?? plan.steps.filter((s) => !used.has(s.id)).map((s) => s.id);
  for (const id of targets) want(id);
  const total = wanted.size;

  const results = new Map<string, unknown>();
  const pending = new Map<string, Promise<unknown>>();
  const shared = createSlots(Math.max(1, options.parallel));
  const pools = new Map(Object.entries(options.pools ?? {}).map(([kind, n]) => [kind, createSlots(Math.max(1, n))]));
  const slotsOf = (kind: StepKind) => pools.get(kind) ?? shared;
  let done = 0;
  let failure: { error: unknown } | undefined;

  const stepResult = (id: string): Promise<unknown> => {
    let promise = pending.get(id);
    if (promise === undefined) {
      const step = byId.get(id);
      if (step === undefined) throw new Error(`the plan has no step ${id}`);
      promise = obtain(step);
      pending.set(id, promise);
    }
    return promise;
  };

  const obtain = async (step: PlanStep): Promise<unknown> => {
    if (!options.uncached.has(step.kind)) {
      const hit = await cache.get(step);
      if (hit !== undefined) {
        results.set(step.id, hit.result);
        events.onStep?.(step, hit.from === "local" ? "cached" : "remote", ++done, total);
        return hit.result;
      }
    }
    const inputs = await Promise.all(step.inputs.map(stepResult));
    const result = await slotsOf(step.kind).run(async () => {
      if (failure !== undefined) throw failure.error;
      try {
        // The step's kind and its parameters' type go together (PlanStep is tagged by kind).
        const handler = handlers[step.kind] as (params: PlanStep["params"], inputs: readonly unknown[], inputIds: readonly string[]) => Promise<unknown>;
        return await handler(step.params, inputs, step.inputs);
      } catch (error) {
        failure ??= { error };
        throw error;
      }
    });
    if (!options.uncached.has(step.kind)) await cache.set(step, result);
    results.set(step.id, result);
    events.onStep?.(step, "ran", ++done, total);
    return result;
  };

  const settled = await Promise.allSettled(targets.map(stepResult));
  // Every started step has settled too: each target awaited its whole chain.
  await Promise.allSettled([...pending.values()]);
  if (failure !== undefined) throw failure.error;
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (rejected !== undefined) throw rejected.reason;
  return results;
}

/** At most `n` functions running at once, the rest queued in order. */
function createSlots(n: number): { run<T>(f: () => Promise<T>): Promise<T> } {
  let running = 0;
  const queue: (() => void)[] = [];
  return {
    async run(f) {
      // A finishing function hands its slot straight to the next in the queue.
      if (running >= n) await new Promise<void>((resolve) => queue.push(resolve));
      else running++;
      try {
        return await f();
      } finally {
        const next = queue.shift();
        if (next !== undefined) next();
        else running--;
      }
    },
  };
}
