import HTTPTypes
import Hummingbird
import NIOCore
import VoxworksCore

/// The console's stylesheet and script, compiled into the binary and served
/// at `/app/assets/…` (no CDN, no build step). Pages link them with
/// `?v=<version>`, so they can be cached for a day.
enum ConsoleAssets {
    static let version = String(SecretMaterial.hash(css + javascript).prefix(12))

    static func response(_ name: String) -> Response? {
        let (text, type): (String, String)
        switch name {
        case "console.css": (text, type) = (css, "text/css; charset=utf-8")
        case "console.js": (text, type) = (javascript, "text/javascript; charset=utf-8")
        default: return nil
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=86400"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let css = #"""
        :root { --fg: #1b1f24; --muted: #57606a; --bg: #f6f8fa; --card: #fff; --line: #d0d7de; --accent: #0a58ca;
          --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --info: #0969da; --gray: #6e7781; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
        .skip:focus { left: .5rem; z-index: 10; }
        .top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .6rem 1rem; background: #24292f; color: #fff; }
        .top a { color: #fff; text-decoration: none; }
        .top a[aria-current="page"] { text-decoration: underline; text-underline-offset: .3em; font-weight: 600; }
        .brand { font-weight: 700; }
        .top nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; flex: 1; }
        .sign-out button { background: transparent; color: #fff; border: 1px solid #8c959f; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
        h3 { font-size: 1rem; }
        .page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem; }
        .card, .secret { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 0 0 1rem; }
        .narrow { max-width: 28rem; }
        .secret { border: 2px solid var(--warn); }
        .field { margin: 0 0 1rem; }
        .field label { display: block; font-weight: 600; margin-bottom: .25rem; }
        .field.check label { display: inline; font-weight: 400; }
        input, select, textarea, button, .button { font: inherit; }
        input[type=password], input:not([type]), select, textarea { width: 100%; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
        textarea, code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .875rem; }
        [aria-invalid="true"] { border: 2px solid var(--bad); }
        .field-error, .error-box { color: var(--bad); font-weight: 600; }
        .error-box { background: #ffebe9; border: 1px solid var(--bad); border-radius: 4px; padding: .5rem .75rem; margin: .5rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
        .hint, .muted { color: var(--muted); }
        .small { font-size: .875rem; }
        button, .button { display: inline-block; padding: .4rem .8rem; border: 1px solid var(--line); border-radius: 4px; background: #f3f4f6; color: var(--fg); cursor: pointer; text-decoration: none; }
        button.primary, .button.primary { background: var(--ok); border-color: var(--ok); color: #fff; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0 1rem; }
        .actions form { margin: 0; }
        .notice { background: #dafbe1; border: 1px solid var(--ok); border-radius: 4px; padding: .5rem .75rem; }
        table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
        th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        .url { display: inline-flex; flex-wrap: wrap; gap: .25rem .5rem; align-items: center; overflow-wrap: anywhere; }
        .url code { word-break: break-all; }
        .badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; border: 1px solid currentColor; font-size: .85rem; font-weight: 600; white-space: nowrap; }
        .badge-completed { color: var(--ok); } .badge-failed, .badge-dead_letter { color: var(--bad); }
        .badge-pending, .badge-skipped { color: var(--gray); } .badge-processing { color: var(--info); } .badge-cancelled { color: var(--warn); }
        .on { color: var(--ok); font-weight: 600; } .off { color: var(--gray); font-weight: 600; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
        .facts dt { font-weight: 600; } .facts dd { margin: 0; overflow-wrap: anywhere; }
        pre.json { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: .5rem; overflow: auto; max-height: 28rem; margin: .25rem 0; }
        .steps { list-style: none; padding: 0; }
        .step { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--gray); border-radius: 4px; padding: .6rem .8rem; margin: 0 0 .6rem; }
        .step-completed { border-left-color: var(--ok); } .step-failed { border-left-color: var(--bad); } .step-processing { border-left-color: var(--info); }
        .step-head { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; }
        .timeline { list-style: none; padding: 0 0 0 .5rem; border-left: 2px solid var(--line); }
        .attempt { padding: .3rem .6rem; margin: 0 0 .4rem; border-left: 3px solid var(--gray); }
        .attempt-completed { border-left-color: var(--ok); } .attempt-failed { border-left-color: var(--bad); }
        .attempt-head { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; }
        .attempt-gap { padding: .2rem .6rem; }
        summary { cursor: pointer; }
        .wire { margin: 0 0 1rem; }
        .filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: 1rem; }
        .filters .field { margin: 0; min-width: 12rem; }
        .pager { display: flex; gap: 1rem; margin: 1rem 0; }
        .paths { columns: 2 16rem; padding-left: 1.2rem; }
        .paths li { margin-bottom: .25rem; overflow-wrap: anywhere; }
        .empty { background: var(--card); border: 1px dashed var(--line); padding: 1rem; border-radius: 6px; }
        .offscreen { position: absolute; left: -9999px; }
        .stats { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: 0 0 .5rem; }
        .stats dt { font-size: .85rem; color: var(--muted); } .stats dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
        .chart { margin: .5rem 0 0; } .chart-svg { display: block; max-width: 48rem; }
        .chart-axis { stroke: var(--line); } .chart-tick { font-size: 9px; fill: var(--muted); }
        .bar-accepted, .swatch-accepted { fill: var(--info); background: var(--info); }
        .bar-completed, .swatch-completed { fill: var(--ok); background: var(--ok); }
        .bar-failed, .swatch-failed { fill: var(--bad); background: var(--bad); }
        .bar-dead_letter, .swatch-dead_letter { fill: #6e1a1a; background: #6e1a1a; }
        .legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: .25rem 0 0; font-size: .875rem; }
        .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: middle; }
        button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
        .abs { display: block; font-size: .8rem; color: var(--muted); white-space: nowrap; }
        .error-cell { color: var(--bad); overflow-wrap: anywhere; font-size: .875rem; }
        @media (max-width: 640px) {
          main { padding: .75rem; }
          table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
          table.stack thead { position: absolute; left: -9999px; }
          table.stack tr { border-bottom: 2px solid var(--line); padding: .25rem 0; }
          table.stack td { border: 0; padding: .2rem .5rem; }
          table.stack td::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: 600; color: var(--muted); }
          .facts { grid-template-columns: 1fr; } .facts dd { margin-bottom: .4rem; }
        }
        """#

    static let javascript = #"""
        // Voxworks console: copy buttons, confirmations, and live refresh of
        // [data-refresh] regions. No inline scripts: the CSP forbids them.
        (function () {
          'use strict';
          function fallbackCopy(text) {
            var area = document.createElement('textarea');
            area.value = text;
            area.setAttribute('readonly', '');
            area.className = 'offscreen';
            document.body.appendChild(area);
            area.select();
            try { document.execCommand('copy'); } catch (e) { /* nothing more to try */ }
            document.body.removeChild(area);
          }
          function copied(button) {
            var label = button.textContent;
            button.textContent = 'Copied';
            setTimeout(function () { button.textContent = label; }, 1500);
          }
          function bindCopy(root) {
            root.querySelectorAll('button[data-copy-target]').forEach(function (button) {
              button.hidden = false;
              if (button.dataset.bound) { return; }
              button.dataset.bound = '1';
              button.addEventListener('click', function () {
                var target = document.getElementById(button.dataset.copyTarget);
                if (!target) { return; }
                var text = target.textContent;
                if (navigator.clipboard && window.isSecureContext) {
                  navigator.clipboard.writeText(text).then(function () { copied(button); }, function () { fallbackCopy(text); copied(button); });
                } else {
                  fallbackCopy(text);
                  copied(button);
                }
              });
            });
          }
          document.addEventListener('submit', function (event) {
            var message = event.target.dataset ? event.target.dataset.confirm : null;
            if (message && !window.confirm(message)) { event.preventDefault(); }
          });
          function refresh(region) {
            var interval = parseInt(region.dataset.refresh, 10) || 5000;
            var timer = setInterval(function () {
              if (document.visibilityState !== 'visible') { return; }
              if (region.contains(document.activeElement) && document.activeElement !== document.body) { return; }
              fetch(region.dataset.refreshUrl || window.location.href, { headers: { 'X-Console-Fragment': '1' }, credentials: 'same-origin', redirect: 'manual' })
                .then(function (response) {
                  if (response.type === 'opaqueredirect' || response.status === 401) { window.location.assign('/app/sign-in'); return null; }
                  // Only a fragment replaces the region, never a whole page.
                  if (!response.ok || response.headers.get('X-Console-Fragment') !== '1') { return null; }
                  if (region.dataset.reloadWhenFinal && response.headers.get('X-Console-Final') === '1') {
                    clearInterval(timer);
                    window.location.reload();
                    return null;
                  }
                  return response.text();
                })
                .then(function (html) {
                  if (typeof html === 'string') { region.innerHTML = html; bindCopy(region); }
                })
                .catch(function () { /* try again at the next tick */ });
            }, interval);
          }
          function start() {
            bindCopy(document);
            document.querySelectorAll('[data-refresh]').forEach(refresh);
          }
          if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
        })();
        """#
}
