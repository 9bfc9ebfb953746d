/**
 * The HTML serveInspector() serves: an import map that sends `uplot` to the
 * server's copy, and a module script that connects the view to the event
 * stream. Both inline scripts carry the response's CSP nonce.
 */

/** Escapes text for an HTML text node. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page, with `title` and the scripts allowed by `nonce`. @internal */
export function inspectorPage(title: string, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<script type="importmap" nonce="${nonce}">{ "imports": { "uplot": "/uplot.js" } }</script>
</head>
<body>
<script type="module" nonce="${nonce}">
import { connectInspector } from '/dist/inspect/connect.js';
connectInspector(document.body, location.origin);
</script>
</body>
</html>
`;
}
