import XCTest
@testable import ClubKit

/// The Markdown renderer behind `clubsh run --html`: each expected page fragment is written by
/// hand from CommonMark 0.31's rules, and every character that could start markup is escaped.
final class MarkdownHTMLTests: XCTestCase {
    private func render(_ markdown: String) -> String { MarkdownHTML.render(markdown) }

    func testHeadingsAndParagraphs() {
        XCTAssertEqual(render("# Cohorts\n\nA *cohort* is a **group**.\n"),
                       "<h1 dir=\"auto\">Cohorts</h1>\n<p dir=\"auto\">A <em>cohort</em> is a <strong>group</strong>.</p>\n")
        XCTAssertEqual(render("## Title ##\n"), "<h2 dir=\"auto\">Title</h2>\n")
        XCTAssertEqual(render("#5 is not a heading\n"), "<p dir=\"auto\">#5 is not a heading</p>\n")
        XCTAssertEqual(render("Title\n=====\n\nSub\n---\n"), "<h1 dir=\"auto\">Title</h1>\n<h2 dir=\"auto\">Sub</h2>\n")
        XCTAssertEqual(render("one\ntwo\n\n***\n\nthree\r\n"),
                       "<p dir=\"auto\">one\ntwo</p>\n<hr>\n<p dir=\"auto\">three</p>\n")
    }

    func testInlineCodeAndEmphasis() {
        XCTAssertEqual(render("Use `a < b` and `` x`y ``.\n"), "<p dir=\"auto\">Use <code>a &lt; b</code> and <code>x`y</code>.</p>\n")
        XCTAssertEqual(render("***both*** and snake_case_name\n"), "<p dir=\"auto\"><em><strong>both</strong></em> and snake_case_name</p>\n")
        XCTAssertEqual(render("***a* and *b***\n"), "<p dir=\"auto\"><strong><em>a</em> and <em>b</em></strong></p>\n")
        XCTAssertEqual(render("*a**b*\n"), "<p dir=\"auto\"><em>a**b</em></p>\n")
        XCTAssertEqual(render("*a **b** c* and *unclosed\n"), "<p dir=\"auto\"><em>a <strong>b</strong> c</em> and *unclosed</p>\n")
        XCTAssertEqual(render("\\*not em\\* and `*not em*`\n"), "<p dir=\"auto\">*not em* and <code>*not em*</code></p>\n")
        XCTAssertEqual(render("line one  \nline two\\\nthree\n"), "<p dir=\"auto\">line one<br>\nline two<br>\nthree</p>\n")
    }

    func testLists() {
        XCTAssertEqual(render("- one\n- two *2*\n  continued\n"),
                       "<ul dir=\"ltr\">\n<li dir=\"auto\">one</li>\n<li dir=\"auto\">two <em>2</em>\ncontinued</li>\n</ul>\n")
        XCTAssertEqual(render("3. first\n\n4. second\n"),
                       "<ol dir=\"ltr\" start=\"3\">\n<li dir=\"auto\"><p dir=\"auto\">first</p></li>\n<li dir=\"auto\"><p dir=\"auto\">second</p></li>\n</ol>\n")
        XCTAssertEqual(render("- a\n  - b\n- c\n"),
                       "<ul dir=\"ltr\">\n<li dir=\"auto\">a\n<ul dir=\"ltr\">\n<li dir=\"auto\">b</li>\n</ul></li>\n<li dir=\"auto\">c</li>\n</ul>\n")
        // Only an item numbered 1 interrupts a paragraph, and `001)` is numbered 1 (as cmark reads it).
        XCTAssertEqual(render("seed\n001) describes\n"), "<p dir=\"auto\">seed</p>\n<ol dir=\"ltr\">\n<li dir=\"auto\">describes</li>\n</ol>\n")
        XCTAssertEqual(render("seed\n2) describes\n"), "<p dir=\"auto\">seed\n2) describes</p>\n")
        // Only a paragraph continues lazily; an item holds at most one blank line before its content.
        XCTAssertEqual(render("- # title\nnot lazy\n\n-\n\n- b\n"),
                       "<ul dir=\"ltr\">\n<li dir=\"auto\"><h1 dir=\"auto\">title</h1></li>\n</ul>\n<p dir=\"auto\">not lazy</p>\n"
                           + "<ul dir=\"ltr\">\n<li dir=\"auto\"></li>\n<li dir=\"auto\"><p dir=\"auto\">b</p></li>\n</ul>\n")
        // Another marker starts another list; text after a list is a paragraph again.
        XCTAssertEqual(render("- a\n+ b\n\nafter\n"),
                       "<ul dir=\"ltr\">\n<li dir=\"auto\">a</li>\n</ul>\n<ul dir=\"ltr\">\n<li dir=\"auto\">b</li>\n</ul>\n<p dir=\"auto\">after</p>\n")
    }

    func testPipeTables() {
        XCTAssertEqual(render("| a | b |\n| --- | ---: |\n| 1 | `x\\|y` |\n| 2 |\n\nafter\n"), """
            <div class="table" dir="ltr"><table class="prose">
            <thead><tr><th>a</th><th class="right">b</th></tr></thead>
            <tbody>
            <tr><td>1</td><td class="right"><code>x|y</code></td></tr>
            <tr><td>2</td><td class="right"></td></tr>
            </tbody>
            </table></div>
            <p dir="auto">after</p>

            """)
        // A Persian table reads right to left: its first column is on the right.
        XCTAssertEqual(render("| در clubsh | در مقاله |\n| :---: | --- |\n| `new` | مشتری <b>جدید</b> |\n"), """
            <div class="table" dir="rtl"><table class="prose">
            <thead><tr><th class="center">در clubsh</th><th>در مقاله</th></tr></thead>
            <tbody>
            <tr><td class="center"><code>new</code></td><td>مشتری &lt;b&gt;جدید&lt;/b&gt;</td></tr>
            </tbody>
            </table></div>

            """)
        XCTAssertEqual(render("Intro\n| a |\n| - |\n"),
                       "<p dir=\"auto\">Intro</p>\n<div class=\"table\" dir=\"ltr\"><table class=\"prose\">\n<thead><tr><th>a</th></tr></thead>\n</table></div>\n")
        // Not tables: a header of another width, and an underline without a pipe.
        XCTAssertEqual(render("a\n| --- | --- |\n"), "<p dir=\"auto\">a\n| --- | --- |</p>\n")
        XCTAssertEqual(render("a | b\n---\n"), "<h2 dir=\"auto\">a | b</h2>\n")
    }

    func testBlockQuotes() {
        XCTAssertEqual(render("> quoted *text*\nlazy line\n\n> second\n"),
                       "<blockquote dir=\"auto\">\n<p dir=\"auto\">quoted <em>text</em>\nlazy line</p>\n</blockquote>\n"
                           + "<blockquote dir=\"auto\">\n<p dir=\"auto\">second</p>\n</blockquote>\n")
        XCTAssertEqual(render("> quote\n---\n"), "<blockquote dir=\"auto\">\n<p dir=\"auto\">quote</p>\n</blockquote>\n<hr>\n")
        XCTAssertEqual(render("> - in a quote\n"), "<blockquote dir=\"auto\">\n<ul dir=\"ltr\">\n<li dir=\"auto\">in a quote</li>\n</ul>\n</blockquote>\n")
        XCTAssertEqual(render("> **Note:**\n> 1. one\n> 2. two\n"),
                       "<blockquote dir=\"auto\">\n<p dir=\"auto\"><strong>Note:</strong></p>\n<ol dir=\"ltr\">\n<li dir=\"auto\">one</li>\n<li dir=\"auto\">two</li>\n</ol>\n</blockquote>\n")
    }

    func testCodeBlocks() {
        XCTAssertEqual(render("```sh\nclubsh run --html a.md > a.html\n```\n"),
                       "<pre><code class=\"language-sh\">clubsh run --html a.md &gt; a.html\n</code></pre>\n")
        // The info string cannot leave the class attribute.
        XCTAssertEqual(render("~~~x\"onload=y\n<b>\n~~~\n"), "<pre><code class=\"language-xonloady\">&lt;b&gt;\n</code></pre>\n")
        XCTAssertEqual(render("    indented <code>\n\n    more\n"), "<pre><code>indented &lt;code&gt;\n\nmore\n</code></pre>\n")
        // A clubsh fence shown inside a longer one is text.
        XCTAssertEqual(render("````markdown\n```clubsh\n1 + 1\n```\n````\n"),
                       "<pre><code class=\"language-markdown\">```clubsh\n1 + 1\n```\n</code></pre>\n")
    }

    func testLinksKeepOnlySafeDestinations() {
        XCTAssertEqual(render("[good](https://example.com/?a=1&b=2 \"t\") [bad](javascript:alert(1)) <https://x.org> [rel](../data/orders.csv)\n"),
                       "<p dir=\"auto\"><a href=\"https://example.com/?a=1&amp;b=2\">good</a> bad <a href=\"https://x.org\">https://x.org</a> "
                           + "<a href=\"../data/orders.csv\">rel</a></p>\n")
        XCTAssertEqual(render("[x](JavaScript:alert(1)) [y](data:text/html,hi) <ask@example.com> [z](\"onmouseover=x)\n"),
                       "<p dir=\"auto\">x y <a href=\"mailto:ask@example.com\">ask@example.com</a> <a href=\"&quot;onmouseover=x\">z</a></p>\n")
        XCTAssertEqual(render("[a](b(c d)\n"), "<p dir=\"auto\">[a](b(c d)</p>\n")
        XCTAssertEqual(render("![chart](cohorts.svg) [not a link] (here)\n"),
                       "<p dir=\"auto\"><a href=\"cohorts.svg\">chart</a> [not a link] (here)</p>\n")
    }

    func testRawHTMLIsText() {
        XCTAssertEqual(render("<script>alert(\"x\")</script> & <b>bold</b>\n"),
                       "<p dir=\"auto\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>\n")
        XCTAssertEqual(render("<div>\n</table>\n</div>\n"), "<p dir=\"auto\">&lt;div&gt;\n&lt;/table&gt;\n&lt;/div&gt;</p>\n")
        XCTAssertEqual(render("<!-- hidden -->\nshown\n\n<!--\nhidden\n-->\nalso shown\n"),
                       "<p dir=\"auto\">shown</p>\n<p dir=\"auto\">also shown</p>\n")
        XCTAssertEqual(render("&amp; &#x6CC; &#0; &bogus; a\u{0}b\n"), "<p dir=\"auto\">&amp; ی \u{FFFD} &amp;bogus; a\u{FFFD}b</p>\n")
    }

    func testPersianProseReadsRightToLeft() {
        XCTAssertEqual(render("# مشتریان\n\nاین یک **پاراگراف** است.\n"),
                       "<h1 dir=\"auto\">مشتریان</h1>\n<p dir=\"auto\">این یک <strong>پاراگراف</strong> است.</p>\n")
        XCTAssertEqual(render("- ۱۲ یک `new`\n- two\n"),
                       "<ul dir=\"rtl\">\n<li dir=\"auto\">۱۲ یک <code>new</code></li>\n<li dir=\"auto\">two</li>\n</ul>\n")
    }

    func testManyDelimitersStayLinear() {
        // 100,000 unmatched openers: the search for an opener stops where the last one failed.
        let text = String(repeating: "*a ", count: 100_000)
        let started = Date()
        XCTAssertTrue(render(text).hasPrefix("<p dir=\"auto\">*a *a"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    /// Random prose made of the characters Markdown and HTML give meaning to: every tag in the
    /// page is one the renderer makes, tags nest properly, and no `<` or `&` is left bare.
    func testRandomProseGivesOnlyWellFormedKnownMarkup() {
        let pieces = ["*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "](", "<", ">", "&", "&amp;", "&#", ";", "#", "# ", "- ", "1. ",
                      "2) ", "> ", "\n", "\n", "\n\n", "    ", "```", "~~~", "***", "---", "===", "a", "b c", "word", "سلام", "\u{0}",
                      "\\", "!", "http://x.y", "javascript:x", "<!--", "-->", "\"", "'", "  ", "\t", "<script>", "</p>", "\r\n",
                      "|", " | ", "\n| --- |", "\n|:-|-:|\n", "\\|"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(pieces.count))
        }
        let known: Set<String> = ["p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
                                  "div", "table", "thead", "tbody", "tr", "th", "td"]
        for _ in 0..<2_000 {
            let markdown = (0..<(next() * 2 + 5)).map { _ in pieces[next()] }.joined()
            let html = MarkdownHTML.render(markdown)
            var open: [String] = []
            var rest = Substring(html)
            while let lt = rest.firstIndex(of: "<") {
                guard let gt = rest[lt...].firstIndex(of: ">") else { XCTFail("a bare < in \(html)\nfrom \(markdown.debugDescription)"); return }
                let tag = rest[rest.index(after: lt)..<gt]
                let name = String(tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber })
                if tag == "hr" || tag == "br" {
                } else if tag.hasPrefix("/") {
                    XCTAssertEqual(open.popLast(), name, "\(html)\nfrom \(markdown.debugDescription)")
                } else {
                    XCTAssertTrue(known.contains(name), "<\(tag)> in \(html)\nfrom \(markdown.debugDescription)")
                    XCTAssertFalse(tag.contains("<"), html)
                    if name == "a" { XCTAssertTrue(tag.hasPrefix("a href=\"") && !tag.lowercased().contains("javascript"), String(tag)) }
                    open.append(name)
                }
                rest = rest[rest.index(after: gt)...]
            }
            XCTAssertEqual(open, [], "\(html)\nfrom \(markdown.debugDescription)")
            XCTAssertFalse(html.contains("\u{0}"))
            // Every & starts an entity.
            for part in html.split(separator: "&", omittingEmptySubsequences: false).dropFirst() {
                XCTAssertTrue(["amp;", "lt;", "gt;", "quot;", "#39;"].contains { part.hasPrefix($0) }, "a bare & in \(html)")
            }
        }
    }

    // MARK: - Escaping

    func testEscaping() {
        XCTAssertEqual(HTML.text("</table><script>&\"'"), "&lt;/table&gt;&lt;script&gt;&amp;&quot;&#39;")
        let nonCharacters = String(String.UnicodeScalarView([Unicode.Scalar(0xFFFE)!, "e", Unicode.Scalar(0xFDD0)!]))
        XCTAssertEqual(HTML.text("a\u{0}b\u{7}c\u{85}d" + nonCharacters + "\tf\n"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}\tf\n")
        XCTAssertEqual(HTML.visible("a\u{0}\nb<"), "a\\u{0}\\nb&lt;")
        XCTAssertEqual(HTML.preformatted("a,b\n\"x\ty\u{1}\"\n"), "a,b\n&quot;x\ty\\u{1}&quot;\n")
    }

    // MARK: - Tables

    func testTableAsHTML() {
        let t = Table(columnNames: ["name", "spend"],
                      columns: [stringColumn(["سارا", "</td><script>"]),
                                Column(.double([1.5, 0]), validity: { var v = Bitmap(count: 2); v.set(1, false); return v }())])
        XCTAssertEqual(TableRenderer(mode: .table).html(t), """
            <div class="table"><table>
            <thead><tr><th dir="auto"><span class="name">name</span><span class="type">string</span></th>\
            <th class="num" dir="auto"><span class="name">spend</span><span class="type">double</span></th></tr></thead>
            <tbody>
            <tr><td dir="auto">سارا</td><td class="num">1.5</td></tr>
            <tr><td dir="auto">&lt;/td&gt;&lt;script&gt;</td><td class="null">null</td></tr>
            </tbody></table></div>
            <p class="rows">2 rows</p>

            """)
    }

    func testLongAndWideTablesShowHeadAndTail() {
        let long = Table(columnNames: ["i"], columns: [Column(.int((1...100).map { Int64($0) }))])
        XCTAssertEqual(TableRenderer(mode: .table, maxRows: 4).html(long), """
            <div class="table"><table>
            <thead><tr><th class="num" dir="auto"><span class="name">i</span><span class="type">int</span></th></tr></thead>
            <tbody>
            <tr><td class="num">1</td></tr>
            <tr><td class="num">2</td></tr>
            <tr class="gap"><td>…</td></tr>
            <tr><td class="num">99</td></tr>
            <tr><td class="num">100</td></tr>
            </tbody></table></div>
            <p class="rows">100 rows (4 shown)</p>

            """)
        let wide = Table(columnNames: (0..<10_000).map { "c\($0)" }, columns: (0..<10_000).map { Column(.int([Int64($0)])) })
        let html = TableRenderer(mode: .table).html(wide)
        XCTAssertEqual(html.components(separatedBy: "</th>").count - 1, 41)
        XCTAssertTrue(html.contains("<span class=\"name\">c19</span>"))
        XCTAssertTrue(html.contains("<th class=\"gap\">…</th><th class=\"num\" dir=\"auto\"><span class=\"name\">c9980</span>"))
        XCTAssertTrue(html.hasSuffix("<p class=\"rows\">1 row, 10,000 columns (40 shown)</p>\n"), html)
    }

    // MARK: - The page

    func testPageShowsProseStatementsResultsAndWhereItStopped() {
        let notebook = Notebook(markdown: """
            # Lesson *one*

            Read <this>.

            ```clubsh
            orders | count
            ```

            ```output
            stale output
            ```

            ```clubsh
            nosuch
            ```

            ```clubsh
            1 + 1
            ```

            """)
        let page = NotebookPage.html(notebook, cells: [
            [.message("loaded orders"), .caption("as of <today>"), .table(html: "<div class=\"table\">T</div>\n"), .text("a,b\n"), .text("1,2\n")],
            [.error("unknown name `nosuch` <x>", line: 14, column: 1)],
        ], name: "lesson.md")
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"), page)
        XCTAssertTrue(page.contains("<title>Lesson one</title>"), page)
        XCTAssertTrue(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""), page)
        XCTAssertTrue(page.contains("@media print {"), page)
        XCTAssertFalse(page.contains("stale output"), "stored output blocks are not shown")
        XCTAssertFalse(page.lowercased().contains("<script"), page)
        XCTAssertTrue(page.contains("""
            <main>
            <p class="error banner" role="alert"><a href="#block-2">Block 2 stopped at an error</a>; the block after it did not run.</p>
            <h1 dir="auto">Lesson <em>one</em></h1>
            <p dir="auto">Read &lt;this&gt;.</p>
            <section class="cell" id="block-1">
            <pre class="statement" title="line 6"><code>orders | count
            </code></pre>
            <div class="output">
            <p class="message" dir="auto">loaded orders</p>
            <div class="result">
            <p class="caption" dir="auto">as of &lt;today&gt;</p>
            <div class="table">T</div>
            </div>
            <pre class="text">a,b
            1,2
            </pre>
            </div>
            </section>
            <section class="cell" id="block-2">
            <pre class="statement" title="line 14"><code>nosuch
            </code></pre>
            <div class="output">
            <p class="error" role="alert" dir="auto"><strong>error:</strong> unknown name `nosuch` &lt;x&gt; <span class="where">(line 14, column 1)</span></p>
            </div>
            </section>
            <section class="cell" id="block-3">
            <pre class="statement" title="line 18"><code>1 + 1
            </code></pre>
            <p class="not-run">not run: an earlier block stopped at an error</p>
            </section>
            </main>
            <footer>lesson.md · clubsh run --html</footer>
            """), page)
    }

    /// Quotes and lists nest at most `maxDepth` (100) deep; deeper markers are text of the
    /// innermost block, and the recursion stays bounded however deep the prose goes.
    func testNestingDepthIsCapped() {
        XCTAssertEqual(MarkdownHTML.maxDepth, 100)
        XCTAssertEqual(render(String(repeating: ">", count: 102) + " hi\n"),
                       String(repeating: "<blockquote dir=\"auto\">\n", count: 100) + "<p dir=\"auto\">&gt;&gt; hi</p>\n"
                           + String(repeating: "</blockquote>\n", count: 100))
        XCTAssertEqual(render(String(repeating: "- ", count: 101) + "x\n"),
                       String(repeating: "<ul dir=\"ltr\">\n<li dir=\"auto\">", count: 100) + "- x"
                           + String(repeating: "</li>\n</ul>", count: 100) + "\n")
        // A list nested line by line: from the 101st level on, the markers are the text of the 100th item.
        let nested = (0..<103).map { String(repeating: "  ", count: $0) + "- x\n" }.joined()
        XCTAssertEqual(render(nested),
                       String(repeating: "<ul dir=\"ltr\">\n<li dir=\"auto\">x\n", count: 100) + "- x\n- x\n- x"
                           + String(repeating: "</li>\n</ul>", count: 100) + "\n")
        // Just under the cap, all 100 levels are read.
        XCTAssertEqual(render(String(repeating: ">", count: 100) + " hi\n"),
                       String(repeating: "<blockquote dir=\"auto\">\n", count: 100) + "<p dir=\"auto\">hi</p>\n"
                           + String(repeating: "</blockquote>\n", count: 100))
    }
}
