import { reportClient } from "./report-client.js";
import { reportData, type ReportData, type ReportInput } from "./report-data.js";
import { REPORT_CSS } from "./report-style.js";
import { squarify } from "./squarify.js";

/** Text for HTML element content and attribute values: every character that means markup, escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<` (so no `</script>` or
 * `<!--`), `>` or `&`, and no U+2028/U+2029; JSON.parse reads it back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The report as one self-contained page: inline CSS, the data as JSON, and the script that
 * draws the treemap, the plan graph and the provenance panel. No network, no fonts, no
 * dates: the same image gives the same bytes. Pure.
 */
export function reportHtml(input: ReportInput): string {
  return reportPage(reportData(input));
}

/** The page around its data. */
export function reportPage(data: ReportData): string {
  const title = `mcc inspect: ${data.title}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p id="summary"></p>
<p id="origin"></p>
</header>
<main>
<section id="sizes" aria-label="sizes">
<div class="bar">
<div class="toggle" role="group" aria-label="group by"><button type="button" id="by-package" aria-pressed="true">by package</button><button type="button" id="by-directory" aria-pressed="false">by directory</button></div>
<nav id="crumbs" aria-label="zoom"></nav>
<input type="search" id="search" placeholder="find a file…" aria-label="find a file" autocomplete="off">
</div>
<div class="split">
<div id="treemap-box"><svg id="treemap" role="img" aria-label="treemap of file sizes"></svg></div>
<aside id="panel" aria-live="polite"></aside>
</div>
</section>
<section id="plan" aria-label="build plan">
<h2>Build plan</h2>
<div id="plan-box"></div>
</section>
</main>
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>const layOutTreemap = ${squarify.toString()};
(${reportClient.toString()})();</script>
</body>
</html>
`;
}
