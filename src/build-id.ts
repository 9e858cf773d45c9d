/**
 * The identity of this build of mcc's code: a digest of its compiled modules and its locked
 * dependencies, set by the bundler (src/cli/bundle.mjs) in the CLI users run. What the cache
 * keeps under it (spec-memo.ts) is read only by the same code. Undefined when mcc runs from its
 * unbundled modules (tests, development), where nothing is kept under it.
 */
declare const MCC_BUILD_ID: string | undefined;

export const BUILD_ID: string | undefined = typeof MCC_BUILD_ID === "string" ? MCC_BUILD_ID : undefined;
