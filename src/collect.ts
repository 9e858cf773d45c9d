let gc: (() => void) | undefined;

/**
 * A full collection of this engine's heap, for the moments mcc knows much of its memory has just
 * become garbage (a resolution's records once the lock is made; what tracing left before a large
 * layer is compressed; a gzip thread's tables after a few blocks), which V8 would otherwise keep
 * until its own measure says so. V8's `gc`, exposed
 * for this engine on first use (node:v8 and node:vm loaded then, not by every command that
 * imports this); nothing where it cannot be.
 */
export async function collectGarbage(): Promise<void> {
  if (gc === undefined) {
    const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([import("node:v8"), import("node:vm")]);
    gc = () => undefined;
    try {
      setFlagsFromString("--expose-gc");
      const exposed: unknown = runInNewContext("gc");
      if (typeof exposed === "function") gc = exposed as () => void;
    } catch {
      // Not exposed: collected when V8 decides.
    }
  }
  gc();
}
