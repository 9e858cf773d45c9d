/** The report's style sheet: system fonts only, light and dark by the reader's setting. */
export const REPORT_CSS = `
:root{--bg:#f7f7f5;--fg:#1d1f21;--muted:#5f6368;--card:#fff;--line:#d9d9d4;--accent:#2b6cb0;--sel:#111;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
@media (prefers-color-scheme:dark){:root{--bg:#1b1c1e;--fg:#e6e6e3;--muted:#a0a4a8;--card:#242528;--line:#3a3b3f;--accent:#7fb2ee;--sel:#fff}}
*{box-sizing:border-box}
body{margin:0;padding:20px 24px 40px;max-width:1600px;margin-inline:auto}
code,.mono{font-family:ui-monospace,"SF Mono",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
header h1{margin:0 0 2px;font-size:22px;font-weight:650}
header p{margin:2px 0;color:var(--muted)}
h2{font-size:16px;margin:28px 0 10px}
h3{font-size:13px;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.bar{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:14px 0 8px}
.toggle button{font:inherit;padding:4px 12px;border:1px solid var(--line);background:var(--card);color:var(--fg);cursor:pointer}
.toggle button:first-child{border-radius:6px 0 0 6px}.toggle button:last-child{border-radius:0 6px 6px 0;border-left:0}
.toggle button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
#crumbs{flex:1;color:var(--muted)}#crumbs a{color:var(--accent);cursor:pointer;text-decoration:none}#crumbs a:hover{text-decoration:underline}
#search{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);width:240px}
.split{display:grid;grid-template-columns:minmax(0,1fr) 360px;gap:14px;align-items:start}
@media (max-width:900px){.split{grid-template-columns:1fr}}
#treemap-box{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
#treemap{display:block;width:100%;height:560px}
#treemap rect{stroke:var(--card);stroke-width:.5}
#treemap .group>rect.frame{stroke:var(--card);stroke-width:2}
#treemap .head{cursor:zoom-in}
#treemap .file{cursor:pointer}
#treemap .file:hover{filter:brightness(1.08)}
#treemap rect.selected{stroke:var(--sel);stroke-width:2.5}
#treemap text{pointer-events:none;font-size:11px;fill:#1d1f21}
#treemap text.head-label{fill:#fff;font-weight:600}
#panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;min-height:560px;max-height:560px;overflow:auto;overflow-wrap:anywhere}
#panel h3:first-child{margin-top:0}
#panel dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0}
#panel dt{color:var(--muted)}#panel dd{margin:0}
#panel ol,#panel ul{margin:4px 0;padding-left:20px}
#panel li{margin:3px 0}
#panel .why{font-weight:600;margin:4px 0}
#panel details{margin-top:10px}#panel summary{cursor:pointer;color:var(--accent)}
#panel a,.link{color:var(--accent);cursor:pointer}
#panel .none{color:var(--muted)}
#panel table{border-collapse:collapse;width:100%}
#panel td{padding:2px 4px;border-bottom:1px solid var(--line);vertical-align:top}
#panel td.num{text-align:right;white-space:nowrap;color:var(--muted)}
#plan-box{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:auto}
#plan-box p{margin:12px 14px;color:var(--muted)}
#plan-box svg{display:block}
#plan-box .node rect.box{fill:var(--card);stroke:var(--line)}
#plan-box .node text{font-size:11.5px;fill:var(--fg)}
#plan-box .node .id{fill:var(--muted);font-size:10px}
#plan-box .node{cursor:pointer}
#plan-box .node.on rect.box{stroke:var(--accent);stroke-width:2}
#plan-box .edge{fill:none;stroke:var(--line);stroke-width:1.2}
#plan-box .edge.on{stroke:var(--accent);stroke-width:2}
#plan-box .legend text{font-size:11px;fill:var(--muted)}
#tip{position:fixed;pointer-events:none;background:rgba(20,20,22,.92);color:#fff;padding:6px 8px;border-radius:6px;font-size:12px;max-width:420px;overflow-wrap:anywhere;z-index:9}
`;
