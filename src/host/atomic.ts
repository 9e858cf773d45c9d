import { basename, dirname, join } from "node:path";
import type { Host } from "./host.js";

/** A temporary name beside `target`, hidden, that no other writer picks. */
export function besideTemp(host: Host, target: string, suffix = "tmp"): string {
  return join(dirname(target), `.${basename(target)}.${host.uniqueName()}.${suffix}`);
}

/**
 * Builds a directory output beside its target and renames it into place: readers see the old
 * output or the whole new one, never a half-written one; a failure leaves the old one.
 */
export async function replaceDirectory<T>(host: Host, target: string, build: (dir: string) => Promise<T>): Promise<T> {
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
  const temp = besideTemp(host, target);
  try {
    await write(temp);
    await host.rename(temp, target);
  } catch (error) {
    await host.remove(temp);
    throw error;
  }
}
