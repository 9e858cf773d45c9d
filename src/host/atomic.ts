import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Builds a directory output beside its target and renames it into place: readers see the old
 * output or the whole new one, never a half-written one; a failure leaves the old one.
 */
export async function replaceDirectory<T>(target: string, build: (dir: string) => Promise<T>): Promise<T> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  await mkdir(temp, { recursive: true });
  try {
    const result = await build(temp);
    const old = `${temp}.old`;
    let replaced = false;
    try {
      await rename(target, old);
      replaced = true;
    } catch {
      // no previous output
    }
    await rename(temp, target);
    if (replaced) await rm(old, { recursive: true, force: true });
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** The same for a single file. */
export async function replaceFile(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
