// A layer's tar through mcc's own gzip (stable-gzip: fflate, pinned, in place or on worker threads
// as the layer's size decides), in a process of its own: what starting node and compressing the
// layer the way mcc must (bytes that depend on no CPU and no Node version) cost, beside
// `gzip -6` of the same tar. Usage: node pinned-gzip.mjs STABLE_GZIP_MODULE TAR; prints the
// compressed size.
import { createReadStream, statSync } from "node:fs";

const [module, tar] = process.argv.slice(2);
const { gzipStream } = await import(module);
let bytes = 0;
for await (const chunk of gzipStream(createReadStream(tar, { highWaterMark: 256 * 1024 }), statSync(tar).size)) bytes += chunk.length;
console.log(bytes);
