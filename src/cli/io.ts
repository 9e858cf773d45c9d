import type { Host } from "../host/host.js";
import type { Arch } from "../types/spec.js";

/** What a command may use of the process: given to commands, so tests can run them in-process. */
export interface CliIo {
  readonly host: Host;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (diagnostics then show the source line, underlined). */
  readonly stderrIsTty: boolean;
  readonly color: boolean;
  readonly hostArch: Arch;
  /** The current directory, where relative paths start. */
  readonly cwd: string;
  /** Whether mcc runs as root (it then sets file owners in directory outputs). */
  readonly isRoot: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}
