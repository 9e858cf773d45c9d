/// <reference lib="dom" />
// The report page's script. It runs in the browser, embedded by its own source text
// (`reportClient.toString()`), so it must not refer to anything outside its body: no
// imports, no module-level names but `layOutTreemap`, which the page defines before it. Data
// comes from the page's JSON; every string of it is put into the page as text (textContent,
// attribute values), never parsed as markup.

import type { squarify } from "./squarify.js";

/** The page's copy of squarify.ts, defined by the page before this script's function runs. */
declare const layOutTreemap: typeof squarify;

/** Draws the treemap, the plan graph and the provenance panel from the page's data. */
export function reportClient(): void {
  type Entry = [string, number, number, string, "f" | "l", string, number[], string[]];
  interface Pkg { name: string; version: string; bytes: number; files: number; deb: string; debSha256: string }
  interface Step { id: string; kind: string; label: string; inputs: string[] }
  interface Data {
    title: string; format: string; arch: string; files: number; bytes: number;
    provenance: { name: string; executable: string; release: string; tool: string; manifest: string } | null;
    packages: Pkg[]; texts: string[]; entries: Entry[]; steps: Step[] | null;
  }
  interface Item { key: string; label: string; value: number; hue: number; entry?: Entry; children?: Item[] }
  interface Box { item: Item; x: number; y: number; w: number; h: number }
  // Given to the page beside this function (report-html.ts), from squarify.ts.
  const squarify = layOutTreemap as (items: Item[], x: number, y: number, w: number, h: number) => Box[];

  const data = JSON.parse((document.getElementById("data") as HTMLElement).textContent ?? "{}") as Data;
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id: string) => document.getElementById(id) as HTMLElement;
  const byPath = new Map<string, Entry>();
  for (const e of data.entries) byPath.set(e[0], e);

  function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
    const n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    if (cls !== undefined) n.className = cls;
    return n;
  }
  function svg(tag: string, attrs: Record<string, string | number>, parent?: Element): SVGElement {
    const n = document.createElementNS(SVG, tag);
    for (const k of Object.keys(attrs)) n.setAttribute(k, String(attrs[k]));
    if (parent !== undefined) parent.appendChild(n);
    return n;
  }
  function size(b: number): string {
    if (b >= 1048576) return (b / 1048576).toFixed(1) + " MiB";
    if (b >= 1024) return (b / 1024).toFixed(1) + " KiB";
    return b + " B";
  }
  function base(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1) || path;
  }

  // The header.
  $("summary").textContent = `${data.format}${data.arch ? " · " + data.arch : ""} · ${data.files} files · ${size(data.bytes)} · ${data.packages.filter((p) => p.bytes > 0).length} packages`;
  $("origin").textContent = data.provenance
    ? `built by ${data.provenance.tool} from Debian ${data.provenance.release}; executable ${data.provenance.executable}; manifest ${data.provenance.manifest.slice(0, 19)}…`
    : "This image carries no mcc provenance: sizes and packages come from the image itself.";

  // Grouping: by package (as the image's records or provenance say), or by directory two levels deep.
  let mode: "package" | "directory" = "package";
  let zoom: string | null = null;
  let selected: string | null = null;
  const GOLD = 137.508;
  function groups(): Item[] {
    const by = new Map<string, Item>();
    const order: string[] = [];
    if (mode === "package") data.packages.forEach((p) => order.push(p.name));
    for (const e of data.entries) {
      if (e[4] !== "f" || e[1] <= 0) continue;
      const key = mode === "package" ? (data.packages[e[2]] as Pkg).name : e[0].split("/").slice(0, 3).join("/") || "/";
      let g = by.get(key);
      if (g === undefined) {
        g = { key, label: key, value: 0, hue: 0, children: [] };
        by.set(key, g);
        if (mode === "directory") order.push(key);
      }
      g.value += e[1];
      (g.children as Item[]).push({ key: e[0], label: base(e[0]), value: e[1], hue: 0, entry: e });
    }
    const list = order.map((k) => by.get(k)).filter((g): g is Item => g !== undefined).sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : 1));
    list.forEach((g, i) => {
      g.hue = (i * GOLD + 205) % 360;
      (g.children as Item[]).sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : 1));
      for (const c of g.children as Item[]) c.hue = g.hue;
    });
    return list;
  }

  const map = $("treemap") as unknown as SVGSVGElement;
  const tip = $("tip");
  const HEAD = 18;
  const CHAR = 6.4;
  function fits(text: string, w: number, h: number): string | null {
    if (h < 13 || w < 24) return null;
    const n = Math.floor((w - 8) / CHAR);
    if (n >= text.length) return text;
    return n >= 6 ? text.slice(0, n - 1) + "…" : null;
  }
  function fileRect(parent: Element, b: Box, light: number) {
    const e = b.item.entry as Entry;
    if (b.w < 0.4 || b.h < 0.4) return;
    const r = svg("rect", { x: b.x.toFixed(2), y: b.y.toFixed(2), width: b.w.toFixed(2), height: b.h.toFixed(2), fill: `hsl(${b.item.hue.toFixed(1)},48%,${light}%)`, class: "file", "data-path": e[0], "data-bytes": e[1] }, parent);
    if (e[0] === selected) r.classList.add("selected");
    const label = fits(b.item.label, b.w, b.h);
    if (label !== null) {
      const t = svg("text", { x: (b.x + 4).toFixed(2), y: (b.y + 12).toFixed(2) }, parent);
      t.textContent = label;
    }
  }
  function draw() {
    const W = map.clientWidth || 900;
    const H = map.clientHeight || 560;
    map.setAttribute("viewBox", `0 0 ${W} ${H}`);
    map.replaceChildren();
    const all = groups();
    const shown = zoom === null ? all : all.filter((g) => g.key === zoom);
    if (shown.length === 0) zoom = null;
    crumbs();
    if (zoom !== null) {
      const g = shown[0] as Item;
      const boxes = squarify(g.children as Item[], 0, 0, W, H);
      boxes.forEach((b, i) => fileRect(map, b, 78 - Math.min(16, i)));
      return;
    }
    for (const gb of squarify(all, 0, 0, W, H)) {
      const g = gb.item;
      const group = svg("g", { class: "group", "data-group": g.key, "data-bytes": g.value }, map);
      svg("rect", { class: "frame", x: gb.x.toFixed(2), y: gb.y.toFixed(2), width: gb.w.toFixed(2), height: gb.h.toFixed(2), fill: `hsl(${g.hue.toFixed(1)},45%,70%)` }, group);
      const head = gb.h > HEAD * 2 && gb.w > 30 ? HEAD : 0;
      if (head > 0) {
        svg("rect", { class: "head", x: gb.x.toFixed(2), y: gb.y.toFixed(2), width: gb.w.toFixed(2), height: head, fill: `hsl(${g.hue.toFixed(1)},42%,38%)`, "data-zoom": g.key }, group);
        const label = fits(`${g.label}  ${size(g.value)}`, gb.w, head) ?? fits(g.label, gb.w, head);
        if (label !== null) {
          const t = svg("text", { x: (gb.x + 5).toFixed(2), y: (gb.y + 13).toFixed(2), class: "head-label" }, group);
          t.textContent = label;
        }
      }
      const kids = squarify(g.children as Item[], gb.x + 1, gb.y + head + 1, gb.w - 2, gb.h - head - 2);
      kids.forEach((b, i) => fileRect(group, b, 80 - Math.min(14, i * 2)));
    }
  }
  function crumbs() {
    const nav = $("crumbs");
    nav.replaceChildren();
    const top = el("a", mode === "package" ? "all packages" : "all directories");
    top.addEventListener("click", () => {
      zoom = null;
      draw();
    });
    nav.appendChild(top);
    if (zoom !== null) {
      nav.appendChild(document.createTextNode(" › "));
      nav.appendChild(el("strong", zoom));
    } else {
      nav.appendChild(document.createTextNode(" · click a heading to zoom, a file for its provenance"));
    }
  }

  map.addEventListener("mousemove", (ev) => {
    const t = ev.target as Element;
    const path = t.getAttribute("data-path");
    const g = t.closest("[data-group]");
    let text: string | null = null;
    if (path !== null) {
      const e = byPath.get(path) as Entry;
      text = `${path}\n${size(e[1])} · ${(data.packages[e[2]] as Pkg).name}`;
      const why = e[6][0];
      if (why !== undefined) text += `\n${data.texts[why]}`;
    } else if (g !== null) {
      text = `${g.getAttribute("data-group")}\n${size(Number(g.getAttribute("data-bytes")))}`;
    }
    if (text === null) {
      tip.hidden = true;
      return;
    }
    tip.textContent = text;
    tip.style.whiteSpace = "pre-line";
    tip.hidden = false;
    const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = ev.clientY + 16 + tip.offsetHeight > window.innerHeight ? ev.clientY - tip.offsetHeight - 10 : ev.clientY + 16;
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  map.addEventListener("mouseleave", () => {
    tip.hidden = true;
  });
  map.addEventListener("click", (ev) => {
    const t = ev.target as Element;
    const z = t.getAttribute("data-zoom");
    const path = t.getAttribute("data-path");
    if (z !== null) {
      zoom = z;
      draw();
    } else if (path !== null) select(path);
  });

  // The panel: a file's provenance, or the largest packages.
  const panel = $("panel");
  function link(path: string): HTMLElement {
    const a = el("a", path, "mono");
    a.addEventListener("click", () => select(path));
    return a;
  }
  function overview() {
    panel.replaceChildren(el("h3", mode === "package" ? "Largest packages" : "Largest directories"));
    const table = el("table");
    for (const g of groups().slice(0, 24)) {
      const tr = el("tr");
      const name = el("td");
      const a = el("a", g.label);
      a.addEventListener("click", () => {
        zoom = g.key;
        draw();
      });
      name.appendChild(a);
      const pkg = data.packages.find((p) => p.name === g.key);
      if (mode === "package" && pkg !== undefined && pkg.version !== "") name.appendChild(el("span", " " + pkg.version, "none"));
      tr.append(name, el("td", size(g.value), "num"), el("td", ((100 * g.value) / Math.max(1, data.bytes)).toFixed(1) + "%", "num"));
      table.appendChild(tr);
    }
    panel.appendChild(table);
    panel.appendChild(el("p", data.provenance ? "Click a file in the treemap, or find one by name, to see why it is in the image." : "Click a file for its package, size and digest.", "none"));
  }
  function select(path: string) {
    const e = byPath.get(path);
    if (e === undefined) return;
    selected = path;
    for (const r of Array.from(map.querySelectorAll("rect.selected"))) r.classList.remove("selected");
    for (const r of Array.from(map.querySelectorAll("rect[data-path]"))) if (r.getAttribute("data-path") === path) r.classList.add("selected");
    const pkg = data.packages[e[2]] as Pkg;
    panel.replaceChildren();
    const back = el("a", "‹ largest packages");
    back.addEventListener("click", () => {
      selected = null;
      overview();
      draw();
    });
    panel.appendChild(back);
    panel.appendChild(el("h3", e[4] === "l" ? "Link" : "File"));
    panel.appendChild(el("div", path, "mono"));
    const dl = el("dl");
    const row = (k: string, v: string | Node) => {
      const dd = el("dd");
      if (typeof v === "string") dd.textContent = v;
      else dd.appendChild(v);
      dl.append(el("dt", k), dd);
    };
    row("package", pkg.name + (pkg.version ? " " + pkg.version : ""));
    if (pkg.deb) row(".deb", el("span", base(pkg.deb), "mono"));
    if (pkg.debSha256) row(".deb sha256", el("span", pkg.debSha256.slice(0, 16) + "…", "mono"));
    if (e[4] === "f") row("size", `${size(e[1])} (${e[1]} bytes)`);
    if (e[3]) row("sha256", el("span", e[3], "mono"));
    if (e[4] === "l") row("target", el("span", e[5], "mono"));
    panel.appendChild(dl);
    if (!data.provenance) {
      panel.appendChild(el("p", "No provenance: the image does not say why this file is here.", "none"));
      return;
    }
    panel.appendChild(el("h3", "Why it is here"));
    const first = e[6][0];
    panel.appendChild(first === undefined ? el("p", "No reason recorded.", "none") : el("p", data.texts[first], "why"));
    panel.appendChild(el("h3", "Chain back to the executable"));
    const chain = el("ol");
    for (const p of [path, ...e[7]]) {
      const li = el("li");
      li.appendChild(p === path ? el("span", p, "mono") : link(p));
      const reason = byPath.get(p)?.[6][0];
      if (reason !== undefined) li.appendChild(el("div", data.texts[reason]));
      chain.appendChild(li);
    }
    panel.appendChild(chain);
    if (e[6].length > 1) {
      const more = el("details");
      more.appendChild(el("summary", `${e[6].length - 1} more reason${e[6].length > 2 ? "s" : ""}`));
      const ul = el("ul");
      for (const t of e[6].slice(1)) ul.appendChild(el("li", data.texts[t]));
      more.appendChild(ul);
      if (e[6].length <= 4) more.open = true;
      panel.appendChild(more);
    }
  }

  // Search: the first matches of a name, files and links alike.
  const search = $("search") as HTMLInputElement;
  search.addEventListener("input", () => {
    const q = search.value.trim();
    if (q === "") {
      if (selected === null) overview();
      return;
    }
    const hits = data.entries.filter((e) => e[0].includes(q)).slice(0, 40);
    panel.replaceChildren(el("h3", `Files matching “${q}”`));
    const ul = el("ul");
    for (const h of hits) ul.appendChild(el("li")).appendChild(link(h[0]));
    panel.appendChild(hits.length > 0 ? ul : el("p", "Nothing matches.", "none"));
  });

  function setMode(m: "package" | "directory") {
    mode = m;
    zoom = null;
    $("by-package").setAttribute("aria-pressed", String(m === "package"));
    $("by-directory").setAttribute("aria-pressed", String(m === "directory"));
    if (selected === null) overview();
    draw();
  }
  $("by-package").addEventListener("click", () => setMode("package"));
  $("by-directory").addEventListener("click", () => setMode("directory"));

  // The plan: a layered DAG, a column per layer (longest path from the sources), nodes ordered
  // by where their inputs sit, edges as curves from an input's right to its user's left.
  function plan() {
    const box = $("plan-box");
    const steps = data.steps;
    if (steps === null || steps.length === 0) {
      box.appendChild(el("p", "No build plan: the image carries no mcc provenance (it was not built by mcc, or its provenance document is missing)."));
      return;
    }
    const ids = new Map(steps.map((s, i) => [s.id, i]));
    const layer: number[] = [];
    steps.forEach((s, i) => {
      layer[i] = s.inputs.reduce((m, id) => Math.max(m, (layer[ids.get(id) ?? -1] ?? -1) + 1), 0);
    });
    const columns: number[][] = [];
    steps.forEach((_, i) => (columns[layer[i] as number] ??= []).push(i));
    const pos: number[] = [];
    columns.forEach((col, c) => {
      if (c > 0) {
        const bary = (i: number) => {
          const ins = (steps[i] as Step).inputs.map((id) => pos[ids.get(id) ?? 0] as number);
          return ins.length === 0 ? 0 : ins.reduce((a, b) => a + b, 0) / ins.length;
        };
        col.sort((a, b) => bary(a) - bary(b) || a - b);
      }
      col.forEach((i, p) => (pos[i] = p));
    });
    // Fetches and unpacks (one per package) are short single-line boxes; the rest show their id.
    const small = (i: number) => ["fetch", "unpack"].includes((steps[i] as Step).kind);
    const NH = (i: number) => (small(i) ? 22 : 36);
    const GX = 46;
    const GY = 6;
    const TOP = 34;
    const widths = columns.map((col) => Math.min(300, Math.max(150, ...col.map((i) => (steps[i] as Step).label.length * 6.4 + 22))));
    const lefts: number[] = [];
    widths.reduce((x, w, c) => ((lefts[c] = x), x + w + GX), 20);
    const heights = columns.map((col) => col.reduce((h, i) => h + NH(i) + GY, 0));
    const tallest = Math.max(...heights);
    const W = (lefts[lefts.length - 1] as number) + (widths[widths.length - 1] as number) + 20;
    const H = TOP + tallest + 14;
    // Wider than the page, it shrinks to fit (down to 70%), then scrolls.
    const root = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "build plan graph", style: `min-width:${Math.round(W * 0.7)}px;max-width:100%;height:auto` }) as SVGSVGElement;
    const colors: Record<string, string> = { fetch: "#8c6bb1", unpack: "#6a51a3", tree: "#2b8cbe", layer: "#41ab5d", config: "#fe9929", manifest: "#ec7014", sbom: "#e7298a", index: "#cc4c02", initramfs: "#1d91c0", iso: "#225ea8" };
    const kinds = [...new Set(steps.map((s) => s.kind))];
    const legend = svg("g", { class: "legend" }, root);
    let lx = 20;
    for (const k of kinds) {
      svg("rect", { x: lx, y: 10, width: 10, height: 10, rx: 2, fill: colors[k] ?? "#888" }, legend);
      const t = svg("text", { x: lx + 14, y: 19 }, legend);
      t.textContent = k;
      lx += 24 + k.length * 7;
    }
    // Each column is centred on the tallest, so a short column sits beside the middle of a long one.
    const at: { x: number; y: number; w: number; h: number }[] = [];
    columns.forEach((col, c) => {
      let y = TOP + (tallest - (heights[c] as number)) / 2;
      for (const i of col) {
        at[i] = { x: lefts[c] as number, y, w: widths[c] as number, h: NH(i) };
        y += NH(i) + GY;
      }
    });
    const xy = (i: number) => at[i] as { x: number; y: number; w: number; h: number };
    const edges = svg("g", {}, root);
    const nodes = svg("g", {}, root);
    const edgeEls: { from: number; to: number; el: SVGElement }[] = [];
    steps.forEach((s, i) => {
      const b = xy(i);
      for (const id of s.inputs) {
        const j = ids.get(id);
        if (j === undefined) continue;
        const a = xy(j);
        const x1 = a.x + a.w;
        const y1 = a.y + a.h / 2;
        const x2 = b.x;
        const y2 = b.y + b.h / 2;
        const mx = (x1 + x2) / 2;
        edgeEls.push({ from: j, to: i, el: svg("path", { class: "edge", d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}` }, edges) });
      }
    });
    const nodeEls: SVGElement[] = [];
    steps.forEach((s, i) => {
      const { x, y, w, h } = xy(i);
      const g = svg("g", { class: "node", "data-step": s.id, "data-kind": s.kind, transform: `translate(${x},${y})` }, nodes);
      svg("rect", { class: "box", width: w, height: h, rx: 5 }, g);
      svg("rect", { width: 5, height: h, rx: 2, fill: colors[s.kind] ?? "#888" }, g);
      const title = svg("title", {}, g);
      title.textContent = `${s.label}\n${s.kind} ${s.id}\n${s.inputs.length} input(s)`;
      const room = Math.floor((w - 18) / 6.4);
      const t = svg("text", { x: 12, y: small(i) ? 15 : 15 }, g);
      t.textContent = s.label.length > room ? s.label.slice(0, room - 1) + "…" : s.label;
      if (!small(i)) {
        const idt = svg("text", { x: 12, y: 29, class: "id" }, g);
        idt.textContent = `${s.kind} · ${s.id.slice(0, 12)}`;
      }
      g.addEventListener("mouseenter", () => {
        g.classList.add("on");
        for (const e of edgeEls) if (e.from === i || e.to === i) e.el.classList.add("on");
      });
      g.addEventListener("mouseleave", () => {
        g.classList.remove("on");
        for (const e of edgeEls) e.el.classList.remove("on");
      });
      nodeEls.push(g);
    });
    box.appendChild(root);
    box.appendChild(el("p", `${steps.length} steps, each a content-addressed id: the sha256 of its kind, its parameters and its inputs' ids. The outputs written from them, and the provenance document itself, are not part of the record.`));
  }

  overview();
  draw();
  plan();
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = window.setTimeout(draw, 80);
  });
}
