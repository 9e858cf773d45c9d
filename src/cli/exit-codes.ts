/** The process exit codes of mcc; scripts rely on them. */
export const EXIT = {
  ok: 0,
  /** The user's input is wrong (a spec with errors, a missing file). */
  userError: 1,
  /** The command line is wrong (unknown command or option, missing argument). */
  usage: 2,
  /** The outside world failed (network, signature or hash verification). */
  world: 3,
  /** A bug in mcc (EX_SOFTWARE from sysexits.h). */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
