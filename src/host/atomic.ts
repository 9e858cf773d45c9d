import { basename, dirname, join } from "node:path";
import type { Host } from "./host.js";

/**
 * A temporary name beside `target`, hidden, that no other writer picks. It names its writer
 * (machine and pid), so that a later run can tell one left by a build that was killed.
 */
export function besideTemp(host: Host, target: string, suffix = "tmp"): string {
  const { machine, pid } = host.writer;
  return join(dirname(target), `.${basename(target)}.mcc-${machine}-${pid}-${host.uniqueName()}.${suffix}`);
}

/**
 * What follows `.TARGET` in a temporary's name: one or more `.mcc-MACHINE-PID-UNIQUE.SUFFIX`
 * (a temporary made beside a staging temporary has two), `.old` for a replaced output.
 */
const TEMPORARY = /^(?:\.mcc-[0-9a-f]{8}-\d+-[0-9a-z]+\.[a-z]+)+(?:\.old)?$/;
const WRITER = /\.mcc-([0-9a-f]{8})-(\d+)-/g;

/**
 * Of the names in `target`'s directory, the temporaries that runs on this machine made for
 * `target` and left behind: none of their writers runs any more (killed, or the machine went
 * down while they wrote). Another machine's, or a live process's, are never among them.
 */
export function leftBehind(names: readonly string[], target: string, machine: string, running: (pid: number) => boolean): string[] {
  const base = basename(target);
  return names.filter((name) => {
    const prefix = [`.${base}`, `..${base}`].find((p) => name.startsWith(p) && TEMPORARY.test(name.slice(p.length)));
    if (prefix === undefined) return false;
    return [...name.slice(prefix.length).matchAll(WRITER)].every((m) => m[1] === machine && !running(Number(m[2])));
  });
}

/** Removes what `leftBehind` names beside `target`; one that cannot be removed is left (tidying never fails a build). */
export async function sweepBeside(host: Host, target: string): Promise<void> {
  const names = await host.readdir(dirname(target)).catch(() => undefined);
  if (names === undefined) return;
  for (const name of leftBehind(names, target, host.writer.machine, (pid) => host.running(pid))) {
    await host.remove(join(dirname(target), name)).catch(() => undefined);
  }
}

/**
 * Builds a directory output beside its target and renames it into place: readers see the old
 * output or the whole new one, never a half-written one; a failure leaves the old one. What
 * a killed run left beside the target is removed first.
 */
export async function replaceDirectory<T>(host: Host, target: string, build: (dir: string) => Promise<T>): Promise<T> {
  await sweepBeside(host, target);
  const temp = besideTemp(host, target);
  await host.mkdir(temp);
  try {
    const result = await build(temp);
    const old = `${temp}.old`;
    let replaced = false;
    try {
      await host.rename(target, old);
      replaced = true;
    } catch {
      // no previous output
    }
    await host.rename(temp, target);
    if (replaced) await host.remove(old);
    return result;
  } catch (error) {
    await host.remove(temp);
    throw error;
  }
}

/** The same for a single file: `write` creates the temporary it is given. */
export async function replaceFile(host: Host, target: string, write: (temp: string) => Promise<void>): Promise<void> {
  await sweepBeside(host, target);
  const temp = besideTemp(host, target);
  try {
    await write(temp);
    await host.rename(temp, target);
  } catch (error) {
    await host.remove(temp);
    throw error;
  }
}
