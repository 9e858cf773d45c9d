import { didYouMean } from "../diagnostics/did-you-mean.js";

/** Keywords of each block, for did-you-mean. */
export const BODY_KEYWORDS = ["version", "from", "packages", "executable", "args", "env", "user", "workdir", "mount", "include", "exclude", "file", "layers", "ports", "label", "boot", "metadata", "output"];
export const FROM_KEYWORDS = ["distro", "release", "archs", "mirror", "components", "keyring", "infer"];
export const USER_KEYWORDS = ["name", "uid", "gid"];
export const BOOT_KEYWORDS = ["kernel", "cmdline", "console", "onExit", "network", "modules"];
export const NETWORK_KEYWORDS = ["address", "gateway", "dns", "interface"];
export const METADATA_KEYWORDS = ["sbom", "provenance", "dpkgStatus"];

/** Words from YAML specs, Dockerfiles and compose files, and where they go in the DSL. */
const ELSEWHERE: Record<string, string> = {
  run: "write `executable PATH` and `args ...`",
  entrypoint: "did you mean `executable`?",
  cmd: "did you mean `args`?",
  command: "did you mean `args`?",
  environment: "did you mean `env`?",
  expose: "did you mean `ports`?",
  port: "did you mean `ports`?",
  volume: "did you mean `mount PATH volume`?",
  mounts: "did you mean `mount`? (one statement per mount)",
  files: "did you mean `file`? (one statement per file)",
  labels: "did you mean `label`? (one statement per label)",
  outputs: "did you mean `output`? (one statement per output)",
  copy: "did you mean `file PATH source FILE`?",
  add: "did you mean `file PATH source FILE`?",
  arch: "did you mean `archs`, in `from { }`?",
  tag: "the tag goes with the name: `image NAME:TAG`",
  cwd: "did you mean `workdir`?",
  path: "a path is the first value of `mount`, `file` and (second) `output`",
  type: "a mount's type follows its path: `mount /write volume`",
  format: "the format is the first value of `output`",
  onexit: "did you mean `onExit`, in `boot { }`?",
};

/**
 * What to add to "unknown keyword `word`": a close keyword of the block, the block the word
 * belongs in, or the DSL's word for what YAML, Dockerfiles and compose files call it.
 */
export function unknownKeywordSuggestion(word: string, keywords: readonly string[]): string {
  const close = didYouMean(word, keywords);
  if (close !== undefined) return ` (did you mean \`${close}\`?)`;
  if (FROM_KEYWORDS.includes(word)) return ` here: \`${word}\` belongs in \`from { }\``;
  if (USER_KEYWORDS.includes(word)) return ` here: \`${word}\` belongs in \`user { }\``;
  if (BOOT_KEYWORDS.includes(word)) return ` here: \`${word}\` belongs in \`boot { }\``;
  if (METADATA_KEYWORDS.includes(word)) return ` here: \`${word}\` belongs in \`metadata { }\``;
  if (BODY_KEYWORDS.includes(word)) return ` here: \`${word}\` belongs in the \`image\` block, not in a nested one`;
  if (["source", "content", "mode", "unpack"].includes(word)) return ` here: \`${word}\` goes on a \`file\` line, after the path`;
  const elsewhere = ELSEWHERE[word.toLowerCase()];
  return elsewhere === undefined ? "" : ` (${elsewhere})`;
}
