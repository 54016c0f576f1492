/** The report's only style sheet, inline so report.html stands alone. */
export const REPORT_CSS = `
:root { color-scheme: light; --pass: #2e7d32; --fail: #c62828; --unknown: #ef6c00; --muted: #616161; --line: #e0e0e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", Verdana, Arial, sans-serif; color: #212121; margin: 0; background: #fff; }
main { max-width: 1260px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 24px; margin: 0 0 6px; display: flex; align-items: center; gap: 12px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.verdict { color: #fff; border-radius: 4px; padding: 2px 10px; font-size: 18px; letter-spacing: 0.05em; }
.verdict.pass { background: var(--pass); }
.verdict.fail { background: var(--fail); }
.verdict.unknown { background: var(--unknown); }
.description { margin: 0 0 12px; color: #424242; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
code.replay { background: #f5f5f5; padding: 1px 6px; border-radius: 3px; user-select: all; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: normal; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.check { border-left: 4px solid var(--pass); padding: 4px 0 4px 12px; margin: 0 0 10px; }
.check.fail { border-left-color: var(--fail); }
.check .mark { font-weight: bold; color: var(--pass); }
.check.fail .mark { color: var(--fail); }
.check.unknown { border-left-color: var(--unknown); }
.check.unknown .mark { color: var(--unknown); }
.check .name { font-weight: bold; }
.check .title { color: var(--muted); }
.check .figures { color: var(--muted); font-size: 12.5px; }
details > summary { cursor: pointer; color: #1565c0; }
pre { background: #f7f7f7; border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; overflow: auto; max-height: 480px; margin: 6px 0; }
.gantt-box { border: 1px solid var(--line); border-radius: 4px; padding: 8px 4px 4px; }
.gantt-box svg { display: block; }
.caption { color: var(--muted); margin: 0 0 8px; }
`;
