// readElfFrom reads a large ELF file only where readElf looks, and gives what readElf gives for
// the whole file: compared on the real shared libraries and programs of this machine (built by
// others, with every linker's habits), with the bytes it read counted.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isElf, readElf, readElfFrom } from "../../src/trace/elf.js";

/** A file read by position, counting the bytes asked for. */
function counted(path: string): { size: number; readInto(position: number, target: Uint8Array): number; read: number; close(): void } {
  const fd = openSync(path, "r");
  const file = {
    size: statSync(path).size,
    read: 0,
    readInto(position: number, target: Uint8Array) {
      file.read += target.length;
      let done = 0;
      while (done < target.length) {
        const n = readSync(fd, target, done, target.length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    },
    close: () => closeSync(fd),
  };
  return file;
}

/** Regular ELF files of a directory, over `min` bytes and up to `max`, by name. */
function elfFiles(dir: string, min: number, max = Infinity): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names
    .map((name) => join(dir, name))
    .filter((path) => {
      try {
        const s = statSync(path);
        if (!s.isFile() || s.size <= min || s.size > max) return false;
        const fd = openSync(path, "r");
        const head = Buffer.alloc(16);
        readSync(fd, head, 0, 16, 0);
        closeSync(fd);
        return isElf(head);
      } catch {
        return false;
      }
    });
}

test("the same facts as a whole read, for this machine's large libraries and programs", () => {
  const files = ["/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/sbin"].flatMap((dir) => elfFiles(dir, 1 << 20, 64 << 20));
  assert.ok(files.length >= 10, `only ${files.length} ELF files over 1 MiB here`);
  let sparse = 0;
  for (const path of files) {
    const whole = (() => {
      try {
        return { elf: readElf(readFileSync(path)) };
      } catch (error) {
        return { error: (error as Error).message };
      }
    })();
    const file = counted(path);
    try {
      const read = (() => {
        try {
          return { elf: readElfFrom(file) };
        } catch (error) {
          return { error: (error as Error).message };
        }
      })();
      assert.equal(read, whole, path);
      if (file.read < file.size / 2) sparse++;
    } finally {
      file.close();
    }
  }
  // Not one or two: nearly every file with section headers is read in part.
  assert.ok(sparse >= files.length * 0.9, `${sparse} of ${files.length} files read in part`);
});

test("a large data library is read by the kilobyte, not whole", () => {
  const biggest = elfFiles("/usr/lib/x86_64-linux-gnu", 8 << 20).map((path) => ({ path, size: statSync(path).size })).sort((a, b) => b.size - a.size)[0];
  assert.ok(biggest !== undefined, "no ELF file over 8 MiB here");
  const file = counted(biggest.path);
  try {
    const elf = readElfFrom(file);
    assert.ok(elf.needed.length > 0 || elf.soname !== undefined, biggest.path);
    assert.ok(file.read < biggest.size / 10, `${file.read} of ${biggest.size} bytes read from ${biggest.path}`);
  } finally {
    file.close();
  }
});

test.run();
