// Every process the benchmarks start runs under a time limit, so a stalled download, a hung
// chroot or a wedged tool ends the run with a message instead of leaving it waiting. coreutils'
// `timeout` puts the command in a process group of its own and signals the whole group: the
// children of mmdebstrap, apt-get or npm end with it, which a kill of the direct child would miss.

/** The exit status of a command ended by its limit (coreutils' `timeout`). */
export const LIMIT_EXIT = 124;

/**
 * The command and arguments that run `cmd args` for at most `seconds` (TERM, then KILL ten
 * seconds later), for spawn, spawnSync and execFileSync alike.
 */
export function limited(seconds, cmd, args) {
  return ["timeout", ["--kill-after=10", String(seconds), cmd, ...args]];
}
