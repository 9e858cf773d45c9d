// The editor path, proven with the real yaml-language-server (what VS Code's YAML extension
// and many other editors run) driven over stdio: a spec that names our schema in its
// modeline gets diagnostics on the right lines, and hover shows a field's description.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "./helpers.js";
import { trackChild } from "./support/children.js";

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
}

class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private readonly listeners: ((m: Message) => void)[] = [];

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(message: Message): void {
    if (message.id !== undefined && message.method === undefined) {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
      return;
    }
    if (message.id !== undefined && message.method !== undefined) {
      // A request from the server: configuration gets our settings, the rest a plain ack.
      const items = ((message.params as { items?: unknown[] } | undefined)?.items ?? []).length;
      const result = message.method === "workspace/configuration" ? Array(items).fill(settings.yaml) : null;
      this.send({ id: message.id, result });
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  private send(message: object): void {
    const body = JSON.stringify({ jsonrpc: "2.0", ...message });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  waitFor(predicate: (m: Message) => boolean, what: string, ms = 30_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} from yaml-language-server within ${ms} ms`)), ms);
      this.listeners.push((m) => {
        if (predicate(m)) {
          clearTimeout(timer);
          resolve(m);
        }
      });
    });
  }
}

const settings = { yaml: { validate: true, hover: true, completion: true, schemaStore: { enable: false }, format: { enable: false } } };

interface LspDiagnostic {
  range: { start: { line: number; character: number } };
  message: string;
}

test("yaml-language-server reports a wrong field on its line, from the modeline's schema, and relative paths where the image needs absolute ones", async () => {
  const server = join(repoRoot, "node_modules", "yaml-language-server", "bin", "yaml-language-server");
  const child = trackChild(spawn(process.execPath, [server, "--stdio"], { cwd: repoRoot }), "yaml-language-server --stdio");
  const stderr: string[] = [];
  child.stderr.on("data", (c: Buffer) => stderr.push(c.toString()));
  try {
    const client = new LspClient(child);
    await client.request("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(repoRoot).href,
      capabilities: { workspace: { configuration: true }, textDocument: { hover: { contentFormat: ["plaintext", "markdown"] } } },
    });
    client.notify("initialized", {});
    client.notify("workspace/didChangeConfiguration", { settings });

    const uri = pathToFileURL(join(repoRoot, "examples", "editor-check.yml")).href;
    const text = [
      "# yaml-language-server: $schema=../schema/mcc.schema.json",
      "name: hello",
      "pakages: [hello]",
      "executable: /usr/bin/hello",
      "mounts:",
      "  - path: /write",
      "    type: volme",
      "",
    ].join("\n");
    const published = client.waitFor(
      (m) =>
        m.method === "textDocument/publishDiagnostics" &&
        (m.params as { uri: string; diagnostics: unknown[] }).uri === uri &&
        (m.params as { diagnostics: unknown[] }).diagnostics.length > 0,
      "diagnostics",
    );
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text } });
    const diagnostics = ((await published).params as { diagnostics: LspDiagnostic[] }).diagnostics;
    const lines = diagnostics.map((d) => d.range.start.line).sort();
    // 0-based: line 2 has the unknown `pakages`, line 6 the misspelt mount type; the missing
    // `packages` is reported at the top of the document.
    assert.ok(lines.includes(2), `no diagnostic on the pakages line: ${JSON.stringify(diagnostics)}`);
    assert.ok(lines.includes(6), `no diagnostic on the type line: ${JSON.stringify(diagnostics)}`);
    const onPakages = diagnostics.find((d) => d.range.start.line === 2);
    assert.match(onPakages?.message ?? "", /not allowed/i);

    const hover = (await client.request("textDocument/hover", { textDocument: { uri }, position: { line: 3, character: 3 } })) as {
      contents?: { value?: string } | string;
    } | null;
    const hoverText = typeof hover?.contents === "string" ? hover.contents : (hover?.contents?.value ?? "");
    assert.match(hoverText, /one program the microcontainer runs/);

    // What the schema can say of meaning, the editor says too: a relative path where the image
    // wants an absolute one, a file source that leaves the spec's directory.
    const second = pathToFileURL(join(repoRoot, "examples", "editor-paths.yml")).href;
    const paths = [
      "# yaml-language-server: $schema=../schema/mcc.schema.json",
      "name: hello",
      "packages: [hello]",
      "executable: usr/bin/hello",
      "workdir: app",
      "include: [usr/share/hello/**]",
      "files:",
      "  - { path: etc/app.conf, source: ../secrets.conf }",
      "",
    ].join("\n");
    const pathsPublished = client.waitFor(
      (m) => m.method === "textDocument/publishDiagnostics" && (m.params as { uri: string; diagnostics: unknown[] }).uri === second && (m.params as { diagnostics: unknown[] }).diagnostics.length > 0,
      "diagnostics for relative paths",
    );
    client.notify("textDocument/didOpen", { textDocument: { uri: second, languageId: "yaml", version: 1, text: paths } });
    const pathDiagnostics = ((await pathsPublished).params as { diagnostics: LspDiagnostic[] }).diagnostics;
    const at = (line: number) => pathDiagnostics.filter((d) => d.range.start.line === line).map((d) => d.message).join(" | ");
    for (const line of [3, 4, 7]) assert.match(at(line), /absolute path inside the image/, `line ${line}: ${JSON.stringify(pathDiagnostics)}`);
    assert.match(at(5), /a glob is an absolute path/, JSON.stringify(pathDiagnostics));
    assert.match(at(7), /relative to the spec's directory/, JSON.stringify(pathDiagnostics));

    await client.request("shutdown", null);
    client.notify("exit", null);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver stderr:\n${stderr.join("")}`);
  } finally {
    child.kill();
  }
});

test.run();
