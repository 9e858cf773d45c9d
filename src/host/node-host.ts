import { createHash, randomBytes } from "node:crypto";
import { closeSync, createReadStream, createWriteStream, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync, type Stats } from "node:fs";
import { chmod, copyFile, lchown, lstat, open, readlink, readdir, readFile, realpath, rm, stat, symlink, writeFile, type FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { besideTemp, sweepBeside } from "./atomic.js";
import { HostError, type FileStat, type Host, type HttpResponse, type RandomFile } from "./host.js";

/** The Host of a real machine. */
export function createNodeHost(): Host {
  const host: Host = {
    async stat(path: string): Promise<FileStat | undefined> {
      try {
        const s = await stat(path);
        return statOf(s);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw toHostError(error, path);
      }
    },
    async lstat(path: string): Promise<FileStat | undefined> {
      try {
        return statOf(await lstat(path));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw toHostError(error, path);
      }
    },
    async readlink(path: string): Promise<string> {
      try {
        return await readlink(path);
      } catch (error) {
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
    async openRandom(path: string): Promise<RandomFile> {
      return openRandomFile(path);
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
      await sweepBeside(host, path);
      const temp = besideTemp(host, path);
      try {
        await writeWhole(temp, data);
        renameSync(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw toHostError(error, path);
      }
    },
    now: () => new Date(),

    readStream: (path) => createReadStream(path),
    async createFile(path, content) {
      try {
        if (typeof content === "string" || content instanceof Uint8Array) await writeWhole(path, content);
        else await writeStream(path, content);
      } catch (error) {
        // Only what this call made: EEXIST means the file was someone else's.
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") await rm(path, { force: true });
        throw error;
      }
    },
    // Made and renamed with the synchronous calls, as small files are written (writeWhole): each is one quick call on a local disk.
    mkdir: async (path) => {
      mkdirSync(path, { recursive: true });
    },
    rename: async (from, to) => renameSync(from, to),
    remove: (path) => rm(path, { recursive: true, force: true }),
    copyFile: (from, to) => copyFile(from, to),
    symlink: (target, path) => symlink(target, path),
    setMode: (path, mode) => chmod(path, mode),
    setOwner: (path, uid, gid) => lchown(path, uid, gid),
    uniqueName: () => randomBytes(8).toString("hex"),
    // The machine by a hash of its name: short, of fixed characters, whatever the name is.
    writer: { machine: createHash("sha256").update(hostname()).digest("hex").slice(0, 8), pid: process.pid },
    running(pid: number): boolean {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        // EPERM: it runs, as another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
      }
    },
    httpGet: (url, headers, timeoutMs) => httpGet(new URL(url), headers, timeoutMs, 0),
  };
  return host;
}

/** As many redirects as a browser's fetch follows. */
const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** A body up to this long is read to its end when let go of, so its connection serves again. */
const DRAIN_UP_TO = 64 * 1024;

type Clients = { readonly request: typeof import("node:http").request; readonly agent: import("node:http").Agent };
const clients = new Map<string, Promise<Clients>>();

/**
 * Node's http or https client, loaded on first use (a build whose packages are cached loads
 * neither), with one keep-alive agent per protocol for the process: the requests of a fetch
 * share a few connections (an idle one does not keep the process alive). The global fetch was
 * used before; its client (undici) alone took 40-60 ms to load in every process that fetched.
 */
function clientFor(protocol: string): Promise<Clients> {
  let found = clients.get(protocol);
  if (found === undefined) {
    const client = protocol === "https:" ? import("node:https") : import("node:http");
    found = client.then((m) => ({ request: m.request, agent: new m.Agent({ keepAlive: true }) }));
    clients.set(protocol, found);
  }
  return found;
}

/**
 * GET `url`, following redirects (to http or https). `timeoutMs` bounds any wait for the
 * server, for its answer or for the next bytes of the body: a timeout is an error named
 * TimeoutError. The body is sent as it comes, uncompressed (no Accept-Encoding is sent).
 */
async function httpGet(url: URL, headers: Readonly<Record<string, string>>, timeoutMs: number, redirects: number): Promise<HttpResponse> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw Object.assign(new Error(`${url.protocol} URLs cannot be fetched`), { code: "ERR_INVALID_PROTOCOL" });
  const { request, agent } = await clientFor(url.protocol);
  const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
    const req = request(url, { headers: { ...headers }, agent });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs / 1000} s`), { name: "TimeoutError", code: "ETIMEDOUT" })));
    // Kept after the answer: an error while the body streams reaches its reader through the body.
    req.on("error", reject);
    req.once("response", resolve);
    req.end();
  });
  const status = res.statusCode ?? 0;
  const location = res.headers.location;
  if (REDIRECTS.has(status) && location !== undefined) {
    await drain(res);
    if (redirects >= MAX_REDIRECTS) throw Object.assign(new Error(`more than ${MAX_REDIRECTS} redirects`), { code: "ERR_TOO_MANY_REDIRECTS" });
    return httpGet(new URL(location, url), headers, timeoutMs, redirects + 1);
  }
  return {
    status,
    statusText: res.statusMessage ?? "",
    header: (name) => {
      const value = res.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    body: res,
    discard: () => drain(res),
  };
}

/** Lets go of a response's body: read to its end when short (its connection is kept), else closed. */
async function drain(res: import("node:http").IncomingMessage): Promise<void> {
  if (res.readableEnded || res.destroyed) return;
  const length = Number(res.headers["content-length"] ?? NaN);
  if (!res.complete && !(length <= DRAIN_UP_TO)) {
    res.destroy();
    return;
  }
  await new Promise<void>((resolve) => {
    res.once("end", resolve);
    res.once("close", resolve);
    res.once("error", () => resolve());
    res.resume();
  });
}

/**
 * A new file holding `data`. Up to SYNC_WRITE_UP_TO bytes it is written at once, on this thread:
 * a local disk takes microseconds for it, and each step through libuv's threads (open, write,
 * close) costs a round trip of the event loop. Unpacking libc6 writes 285 small files: one by one
 * through the threads 115-220 ms, here 15-25 ms (docs/performance.md). A larger one is written
 * through the threads, so the event loop is never held for long.
 */
async function writeWhole(path: string, data: Uint8Array | string): Promise<void> {
  if (data.length <= SYNC_WRITE_UP_TO) writeFileSync(path, data, { flag: "wx" });
  else await writeFile(path, data, { flag: "wx" });
}
const SYNC_WRITE_UP_TO = 1 << 20;

/**
 * Writes a stream into a new file, each chunk written before the next is asked for: the
 * disk sets the pace, and a producer may fill the same buffer again for its next chunk.
 */
async function writeStream(path: string, body: AsyncIterable<Uint8Array>): Promise<void> {
  // No room to queue: every write waits for "drain", which comes once it is on the disk.
  const out = createWriteStream(path, { flags: "wx", highWaterMark: 0 });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  try {
    for await (const chunk of body) {
      if (!out.write(chunk)) await Promise.race([new Promise<void>((resolve) => out.once("drain", () => resolve())), failed]);
    }
    await Promise.race([new Promise<void>((resolve) => out.end(() => resolve())), failed]);
  } catch (error) {
    out.destroy();
    throw error;
  }
}

function statOf(s: Stats): FileStat {
  const kind = s.isFile() ? "file" : s.isDirectory() ? "directory" : s.isSymbolicLink() ? "symlink" : "other";
  return { kind, size: s.size, modified: s.mtimeMs, mode: s.mode & 0o7777 };
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

/** Descriptors of RandomFiles dropped without close(): closed when their file is collected. */
const unclosed = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
});

/** A file read with positioned reads on one descriptor (synchronous: a few KiB at a time). */
function openRandomFile(path: string): RandomFile {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    const file: RandomFile = {
      size,
      read(position, length) {
        const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
        return buffer.subarray(0, file.readInto(position, buffer));
      },
      readInto(position, target) {
        if (fd === undefined) throw new HostError(`${path}: read after close`, path, "closed");
        let done = 0;
        try {
          while (done < target.length) {
            const n = readSync(fd, target, done, target.length - done, position + done);
            if (n === 0) break;
            done += n;
          }
        } catch (error) {
          throw toHostError(error, path);
        }
        return done;
      },
      close() {
        if (fd === undefined) return;
        unclosed.unregister(file);
        closeSync(fd);
        fd = undefined;
      },
    };
    unclosed.register(file, fd, file);
    return file;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    throw toHostError(error, path);
  }
}
