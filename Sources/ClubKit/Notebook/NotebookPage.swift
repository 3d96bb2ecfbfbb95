/// A notebook as one standalone web page (`clubsh run --html FILE.md`): the reading rendered from
/// its Markdown, each `clubsh` block as code, and under it what the block gave — captions,
/// tables as `<table>`, charts as inline SVG, messages, warnings and errors. The stored `output`
/// blocks are left out: the page shows this run's results.
///
/// The page needs nothing from outside: the style is inline (with a print style), there is no
/// script, and its Content-Security-Policy forbids scripts and every outside resource, so
/// even markup that slipped past the escaping could not run or fetch anything.
public enum NotebookPage {
    /// One thing a block gave, in the order it was shown.
    public enum Piece: Sendable {
        /// A table, already HTML (`TableRenderer.html`).
        case table(html: String)
        /// A chart, drawn as inline SVG.
        case chart(Chart)
        /// What a table is over (shown above it, as in table mode).
        case caption(String)
        /// A single value.
        case value(String)
        /// Text shown as it is, in a monospaced block: results in another mode (`.mode csv`)
        /// and what dot commands print.
        case text(String)
        case message(String)
        case warning(String)
        /// A statement's error, with where it is in the notebook file.
        case error(String, line: Int, column: Int)
    }

    /// The page for `notebook`, whose `clubsh` blocks gave `cells` in order; a block that did
    /// not run (after one that stopped at an error) has nil, or no entry. `name` is the
    /// notebook's file name, for the title when the notebook has no heading.
    public static func html(_ notebook: Notebook, cells: [[Piece]?], name: String) -> String {
        var body = ""
        var cell = 0
        var stopped: Int?
        for part in notebook.parts {
            switch part {
            case .prose(let text):
                body += MarkdownHTML.render(text)
            case .output:
                continue
            case .code(let source, _, let line):
                let pieces = cell < cells.count ? cells[cell] : nil
                cell += 1
                if pieces?.contains(where: { if case .error = $0 { return true } else { return false } }) == true, stopped == nil {
                    stopped = cell
                }
                body += "<section class=\"cell\" id=\"block-\(cell)\">\n"
                body += "<pre class=\"statement\" title=\"line \(line + 1)\"><code>\(HTML.text(source))</code></pre>\n"
                if let pieces {
                    body += render(pieces)
                } else {
                    body += "<p class=\"not-run\">not run: an earlier block stopped at an error</p>\n"
                }
                body += "</section>\n"
            }
        }
        var top = ""
        if let stopped {
            top = "<p class=\"error banner\" role=\"alert\"><a href=\"#block-\(stopped)\">Block \(stopped) stopped at an error</a>"
            let after = cell - stopped
            top += after == 0 ? ".</p>\n" : after == 1 ? "; the block after it did not run.</p>\n" : "; the \(after) blocks after it did not run.</p>\n"
        }
        return """
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="generator" content="clubsh">
        <title>\(HTML.text(title(notebook) ?? name))</title>
        <style>
        \(style)</style>
        </head>
        <body>
        <main>
        \(top)\(body)</main>
        <footer>\(HTML.text(name)) · clubsh run --html</footer>
        </body>
        </html>

        """
    }

    /// A block's pieces; neighbouring text pieces share one block, and captions share a
    /// `<div class="result">` with the table or chart they stand above, so that a printed page
    /// does not end between them.
    static func render(_ pieces: [Piece]) -> String {
        var out = "<div class=\"output\">\n"
        var text = ""
        var captions = ""
        func flushText() {
            guard !text.isEmpty else { return }
            out += "<pre class=\"text\">\(HTML.preformatted(text))</pre>\n"
            text = ""
        }
        for piece in pieces {
            if case .text(let t) = piece { text += t; continue }
            flushText()
            if case .caption(let c) = piece {
                captions += "<p class=\"caption\" dir=\"auto\">\(HTML.visible(c))</p>\n"
                continue
            }
            switch piece {
            case .table, .chart:
                out += "<div class=\"result\">\n" + captions
            default:
                out += captions
            }
            captions = ""
            switch piece {
            case .table(let html): out += html + "</div>\n"
            case .chart(let chart): out += "<figure class=\"chart\">\n\(chart.svg)</figure>\n</div>\n"
            case .caption: break
            case .value(let v): out += "<p class=\"value\" dir=\"auto\">\(HTML.visible(v))</p>\n"
            case .message(let m): out += "<p class=\"message\" dir=\"auto\">\(HTML.visible(m))</p>\n"
            case .warning(let w): out += "<p class=\"warning\" dir=\"auto\"><strong>warning:</strong> \(HTML.visible(w))</p>\n"
            case .error(let e, let line, let column):
                out += "<p class=\"error\" role=\"alert\" dir=\"auto\"><strong>error:</strong> \(HTML.visible(e))"
                out += " <span class=\"where\">(line \(line), column \(column))</span></p>\n"
            case .text: break
            }
        }
        flushText()
        return out + captions + "</div>\n"
    }

    /// The text of the notebook's first level-1 heading (`# Lesson 5 — Cohorts`), if any.
    static func title(_ notebook: Notebook) -> String? {
        for part in notebook.parts {
            guard case .prose(let text) = part else { continue }
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) where line.hasPrefix("# ") {
                let plain = line.dropFirst(2).filter { $0 != "*" && $0 != "`" && $0 != "_" }
                return plain.trimmingSpacesAndTabs()
            }
        }
        return nil
    }

    static let style = """
    :root { color-scheme: light; }
    body { margin: 0; background: #fff; color: #1f2328; font: 16px/1.6 "Noto Sans", "DejaVu Sans", "Segoe UI", "Vazirmatn", system-ui, sans-serif; }
    main { max-width: 62rem; margin: 0 auto; padding: 2rem 1.5rem 2rem; }
    footer { max-width: 62rem; margin: 0 auto 2rem; padding: .6rem 1.5rem; color: #6e7781; font-size: .8rem; border-top: 1px solid #d8dee4; }
    h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.6em 0 .6em; }
    h1 { font-size: 2rem; margin-top: .4em; padding-bottom: .3em; border-bottom: 3px solid #3b6ea5; }
    h2 { font-size: 1.45rem; padding-bottom: .2em; border-bottom: 1px solid #d8dee4; }
    a { color: #2f5f93; }
    blockquote { margin: 1em 0; padding: .2em 1em; color: #4b5563; border-inline-start: 4px solid #c9d4e2; }
    code, pre, .message { font-family: "DejaVu Sans Mono", "Noto Sans Mono", Menlo, Consolas, monospace; }
    code { font-size: .88em; background: #eef1f5; padding: .1em .3em; border-radius: 4px; direction: ltr; unicode-bidi: isolate; }
    pre { font-size: .85rem; line-height: 1.45; background: #f6f8fa; border: 1px solid #d8dee4; border-radius: 6px; padding: .7rem 1rem; white-space: pre-wrap; overflow-wrap: anywhere; }
    pre code { background: none; padding: 0; font-size: inherit; }
    .cell { margin: 1.4rem 0 1.8rem; }
    pre.statement { background: #f1f5fa; border: 1px solid #c9d4e2; border-inline-start: 4px solid #3b6ea5; color: #0b2e4f; margin-bottom: .6rem; }
    .output { padding-inline-start: 1.1rem; }
    pre.text { background: #fff; }
    div.table { overflow-x: auto; margin: .3rem 0 0; }
    table { border-collapse: collapse; font-size: .86rem; font-variant-numeric: tabular-nums; }
    th, td { padding: .28rem .65rem; text-align: start; vertical-align: top; border-bottom: 1px solid #e4e8ee; max-width: 26rem; overflow-wrap: break-word; }
    th { background: #f1f5fa; border-bottom: 2px solid #b9c6d6; }
    th .name { display: block; font-weight: 600; }
    th .type { display: block; font-weight: 400; font-size: .72rem; color: #6e7781; }
    th.num, td.num { text-align: right; white-space: nowrap; }
    .prose .right { text-align: right; }
    .prose .center { text-align: center; }
    table.prose { font-size: .92rem; margin: 1em 0; }
    table.prose th { font-weight: 600; }
    tbody tr:nth-child(even) { background: #fafbfc; }
    td.null { color: #8c959f; font-style: italic; }
    tr.gap td, .gap { color: #8c959f; text-align: center; }
    p.rows { margin: .3rem 0 .9rem; color: #6e7781; font-size: .8rem; }
    p.caption { margin: .2rem 0 .35rem; color: #4b5563; font-size: .9rem; font-style: italic; }
    p.message { margin: .2rem 0; color: #57606a; font-size: .8rem; white-space: pre-wrap; }
    p.value { margin: .3rem 0; font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums; }
    p.warning { margin: .4rem 0; padding: .4rem .8rem; background: #fff8e1; border-inline-start: 4px solid #d4a72c; white-space: pre-wrap; }
    .error { margin: .4rem 0; padding: .5rem .9rem; background: #fdecea; color: #82071e; border-inline-start: 4px solid #cf222e; white-space: pre-wrap; }
    .error a { color: inherit; font-weight: 600; }
    .error .where { color: #8c4a52; font-size: .85em; white-space: nowrap; }
    p.not-run { color: #8c959f; font-style: italic; }
    figure.chart { margin: .6rem 0 1rem; }
    figure.chart svg { display: block; max-width: 100%; height: auto; border: 1px solid #e4e8ee; border-radius: 6px; }
    @media print {
      body { font-size: 10.5pt; }
      main, footer { max-width: none; padding-left: 0; padding-right: 0; }
      a { color: inherit; }
      h1, h2, h3, h4 { break-after: avoid; }
      pre, figure, tr, .error, .warning { break-inside: avoid; }
      pre.statement, p.caption, p.message { break-after: avoid; }
      .result { break-inside: avoid; }
      thead { display: table-header-group; }
      div.table { overflow: visible; }
      tbody tr:nth-child(even) { background: none; }
    }

    """
}
