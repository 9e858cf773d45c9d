import type { Spec } from "../types/spec.js";

/** What of the spec the tracer and its rules read: the program, the globs, its environment, its user, the release. */
export type TraceSpec = Pick<Spec, "executable" | "include" | "exclude" | "env" | "user"> & { readonly from: Pick<Spec["from"], "release"> };
