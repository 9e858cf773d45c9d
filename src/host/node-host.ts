import { randomBytes } from "node:crypto";
import { open, readdir, readFile, realpath, rename, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { HostError, type FileStat, type Host } from "./host.js";

/** The Host of a real machine. */
export function createNodeHost(): Host {
  return {
    async stat(path: string): Promise<FileStat | undefined> {
      try {
        const s = await stat(path);
        return { kind: s.isFile() ? "file" : s.isDirectory() ? "directory" : "other", size: s.size };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw toHostError(error, path);
      }
    },
    async readFile(path: string): Promise<Uint8Array> {
      try {
        return await readFile(path);
      } catch (error) {
        throw toHostError(error, path);
      }
    },
    async readPrefix(path: string, length: number): Promise<Uint8Array> {
      let handle: FileHandle | undefined;
      try {
        handle = await open(path, "r");
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, 0);
        return buffer.subarray(0, bytesRead);
      } catch (error) {
        throw toHostError(error, path);
      } finally {
        await handle?.close();
      }
    },
    async realpath(path: string): Promise<string | undefined> {
      try {
        return await realpath(path);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw toHostError(error, path);
      }
    },
    async readdir(path: string): Promise<string[] | undefined> {
      try {
        return (await readdir(path)).sort();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw toHostError(error, path);
      }
    },
    async writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
      const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
      try {
        await writeFile(temp, data, { flag: "wx" });
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw toHostError(error, path);
      }
    },
    now: () => new Date(),
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function toHostError(error: unknown, path: string): HostError {
  const e = error as NodeJS.ErrnoException;
  const reason = REASONS[e.code ?? ""] ?? e.message;
  return new HostError(`${path}: ${reason}`, path, reason);
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error",
};
