/// A notebook's prose as HTML, for `clubsh run --html`: a small renderer of our own that follows
/// CommonMark (https://spec.commonmark.org/0.31.2/) for what a lesson's reading uses — ATX and
/// setext headings, paragraphs, block quotes, bullet and ordered lists (tight and loose, nested),
/// fenced and indented code blocks, thematic breaks, and GitHub's pipe tables — with the inline
/// part in `MarkdownInline`.
///
/// **Choice:** HTML written in the Markdown is shown as text, never passed through, so a
/// notebook cannot put markup or script on the page; an HTML comment (`<!-- … -->`) is left out,
/// as a browser would not show it either. Block-level text carries `dir="auto"`, so a Persian
/// paragraph reads right to left and an English one left to right on the same page.
///
///     MarkdownHTML.render("# Cohorts\n\nA *cohort* is …\n")
///     // "<h1 dir=\"auto\">Cohorts</h1>\n<p dir=\"auto\">A <em>cohort</em> is …</p>\n"
///
/// **Choice:** block quotes and list items nest at most `maxDepth` (100) deep; a deeper `>` or
/// list marker is text of the innermost block, as markdown-it's `maxNesting` does. The work is
/// then linear in the notebook (each nesting level looks at a bounded part of each line), and
/// the recursion is bounded and runs on the deep stack, so hostile prose gives a page.
public enum MarkdownHTML {
    /// How deep block quotes and list items nest; deeper markers are text.
    static let maxDepth = 100

    public static func render(_ markdown: String) -> String {
        // Lines without their endings (to Swift, CRLF is one Character, not "\n" and a CR).
        var lines = markdown.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        let all = lines.map { Line($0) }
        // Up to `maxDepth` levels of quotes and lists, a few frames each: more than a secondary
        // thread's stack holds in a debug build.
        return (try? DeepStack.run { () throws(Diagnostic) -> String in blocks(all[...], tight: false, depth: 0) }) ?? ""
    }

    /// A line (or what a container leaves of it) and whether it is blank, worked out once: the
    /// containers only take spaces off a line they pass down, which keeps it blank or not.
    struct Line {
        var text: Substring
        var isBlank: Bool
        init(_ text: Substring) {
            self.text = text
            isBlank = text.utf8.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }  // any other byte is not blank
        }
        init(_ text: Substring, isBlank: Bool) {
            self.text = text
            self.isBlank = isBlank
        }
        /// Without its first `columns` columns of indentation.
        func stripping(_ columns: Int) -> Line { Line(MarkdownBlocks.stripColumns(text, columns), isBlank: isBlank) }
    }

    /// A line's indentation in columns, counted only up to `limit` (a tab advances to the next
    /// multiple of 4), and the rest: exact when less than `limit`, so a deeply indented line
    /// costs each nesting level a few steps, not its whole indentation.
    static func indentation(_ line: Substring, upTo limit: Int) -> (Int, Substring) {
        var columns = 0
        var index = line.startIndex
        while index < line.endIndex, columns < limit {
            let c = line[index]
            if c == " " { columns += 1 } else if c == "\t" { columns += 4 - columns % 4 } else { break }
            index = line.index(after: index)
        }
        return (columns, line[index...])
    }

    /// The blocks of `lines` as HTML; in a tight list item, paragraphs have no `<p>`.
    /// `depth` is how many quotes and list items hold `lines`.
    static func blocks(_ lines: ArraySlice<Line>, tight: Bool, depth: Int) -> String {
        var out = ""
        var paragraph: [Substring] = []
        func flush() {
            guard !paragraph.isEmpty else { return }
            let text = paragraph.map { $0.trimmingSpacesAndTabs(leading: true) }.joined(separator: "\n")
            let inline = MarkdownInline.html(text.trimmingSpacesAndTabs())
            out += tight ? inline + "\n" : "<p dir=\"auto\">\(inline)</p>\n"
            paragraph = []
        }
        var i = lines.startIndex
        while i < lines.endIndex {
            let line = lines[i]
            let (indent, rest) = indentation(line.text, upTo: 4)
            if line.isBlank {
                flush()
                i += 1
                continue
            }
            if indent >= 4 {
                if !paragraph.isEmpty {
                    paragraph.append(rest)  // its indentation is trimmed with the paragraph's
                    i += 1
                    continue
                }
                // An indented code block: lines indented four columns, and blank lines between.
                var code: [Substring] = []
                while i < lines.endIndex, lines[i].isBlank || indentation(lines[i].text, upTo: 4).0 >= 4 {
                    code.append(MarkdownBlocks.stripColumns(lines[i].text, 4))
                    i += 1
                }
                while let last = code.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { code.removeLast() }
                out += "<pre><code>" + HTML.text(code.joined(separator: "\n") + "\n") + "</code></pre>\n"
                continue
            }
            if let fence = MarkdownBlocks.opening(rest, indent: indent) {
                flush()
                i += 1
                var code: [Substring] = []
                while i < lines.endIndex, !MarkdownBlocks.closes(lines[i].text, fence, containerIndent: 0) {
                    code.append(MarkdownBlocks.stripColumns(lines[i].text, fence.indent))
                    i += 1
                }
                i += 1
                let language = fence.info.prefix { !$0.isWhitespace }.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
                let attribute = language.isEmpty ? "" : " class=\"language-\(language)\""
                out += "<pre><code\(attribute)>" + HTML.text(code.map { $0 + "\n" }.joined()) + "</code></pre>\n"
                continue
            }
            if rest.hasPrefix("#"), MarkdownBlocks.isATXHeading(rest) {
                flush()
                let level = rest.prefix { $0 == "#" }.count
                var text = rest.dropFirst(level).trimmingSpacesAndTabs()
                // A closing run of `#` after a space is not part of the heading.
                let closing = text.reversed().prefix { $0 == "#" }.count
                if closing == text.count { text = "" } else if closing > 0, text.dropLast(closing).last == " " || text.dropLast(closing).last == "\t" {
                    text = String(text.dropLast(closing)).trimmingSpacesAndTabs()
                }
                out += "<h\(level) dir=\"auto\">\(MarkdownInline.html(text))</h\(level)>\n"
                i += 1
                continue
            }
            if let header = paragraph.last, let alignments = delimiterRow(rest), cells(header).count == alignments.count {
                // A table (GitHub's extension): the paragraph's last line is its header.
                paragraph.removeLast()
                flush()
                i += 1
                var rows: [[String]] = []
                while i < lines.endIndex, !lines[i].isBlank {
                    let (rowIndent, rowRest) = indentation(lines[i].text, upTo: 4)
                    if MarkdownBlocks.startsBlock(rowRest, indent: rowIndent) { break }
                    rows.append(cells(lines[i].text))
                    i += 1
                }
                out += table(header: cells(header), alignments: alignments, rows: rows)
                continue
            }
            if !paragraph.isEmpty, let level = setextLevel(rest) {
                let text = paragraph.map { $0.trimmingSpacesAndTabs(leading: true) }.joined(separator: "\n").trimmingSpacesAndTabs()
                out += "<h\(level) dir=\"auto\">\(MarkdownInline.html(text))</h\(level)>\n"
                paragraph = []
                i += 1
                continue
            }
            if MarkdownBlocks.isThematicBreak(rest) {
                flush()
                out += "<hr>\n"
                i += 1
                continue
            }
            if rest.hasPrefix(">"), depth < maxDepth {
                flush()
                var inner: [Line] = []
                var lazyAllowed = false
                while i < lines.endIndex {
                    let (quoteIndent, quoteRest) = indentation(lines[i].text, upTo: 4)
                    if quoteIndent <= 3, quoteRest.hasPrefix(">") {
                        var content = quoteRest.dropFirst()
                        if content.first == " " || content.first == "\t" { content = content.dropFirst() }
                        let quoted = Line(content)
                        inner.append(quoted)
                        lazyAllowed = !quoted.isBlank
                    } else if lazyAllowed, !lines[i].isBlank, endsInParagraph(inner.last!, depth: depth + 1), setextLevel(quoteRest) == nil,
                              !MarkdownBlocks.startsBlock(quoteRest, indent: quoteIndent) {
                        // A lazy line continues the quote's paragraph (it cannot underline it).
                        inner.append(lines[i])
                    } else {
                        break
                    }
                    i += 1
                }
                out += "<blockquote dir=\"auto\">\n" + blocks(inner[...], tight: false, depth: depth + 1) + "</blockquote>\n"
                continue
            }
            if rest.hasPrefix("<!--") {
                flush()
                // An HTML comment: left out, up to the line that ends it (this one, after `<!--`).
                var ends = rest.dropFirst(4).contains("-->")
                i += 1
                while !ends, i < lines.endIndex {
                    ends = lines[i].text.contains("-->")
                    i += 1
                }
                continue
            }
            if indent <= 3, depth < maxDepth, let item = MarkdownBlocks.listItem(rest, interruptsParagraph: !paragraph.isEmpty) {
                flush()
                out += list(lines, from: &i, first: item, indent: indent, depth: depth)
                continue
            }
            paragraph.append(line.text)
            i += 1
        }
        flush()
        return out
    }

    /// Whether `line`, the last of a list item or block quote so far, is paragraph text, which
    /// alone a lazy line (one without the item's indentation or the quote's `>`) continues.
    /// `depth` is the line's own; markers beyond `maxDepth` are text.
    private static func endsInParagraph(_ line: Line, depth: Int) -> Bool {
        var (indent, rest) = indentation(line.text, upTo: 4)
        var depth = depth
        while indent <= 3, depth < maxDepth {
            if let item = MarkdownBlocks.listItem(rest, interruptsParagraph: false) {
                (indent, rest) = indentation(item.text, upTo: 4)
            } else if rest.hasPrefix(">") {
                (indent, rest) = indentation(rest.dropFirst(), upTo: 4)
            } else {
                break
            }
            depth += 1
        }
        // Below four columns the rest starts at its first non-blank character.
        guard indent <= 3, !rest.isEmpty else { return false }
        return !(rest.hasPrefix("#") && MarkdownBlocks.isATXHeading(rest)) && !MarkdownBlocks.isThematicBreak(rest)
            && MarkdownBlocks.opening(rest, indent: indent) == nil
    }

    /// A table's delimiter row (`| --- | :---: | ---: |`): each column's alignment, or nil when
    /// the line is not one. It needs a `|`, so `---` alone stays a heading's underline.
    private static func delimiterRow(_ rest: Substring) -> [String?]? {
        guard rest.contains("|") else { return nil }
        var alignments: [String?] = []
        for cell in cells(rest) {
            let left = cell.hasPrefix(":"), right = cell.hasSuffix(":")
            let dashes = cell.dropFirst(left ? 1 : 0).dropLast(right && cell.count > 1 ? 1 : 0)
            guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
            alignments.append(left && right ? "center" : right ? "right" : nil)
        }
        return alignments.isEmpty ? nil : alignments
    }

    /// The cells of a table row: split at each `|` that is not escaped, without the pipes at
    /// its ends; `\|` is a pipe inside a cell (in code too).
    private static func cells(_ line: Substring) -> [String] {
        var row = line.trimmingSpacesAndTabs()
        if row.hasPrefix("|") { row.removeFirst() }
        if row.hasSuffix("|") && !row.hasSuffix("\\|") { row.removeLast() }
        var cells: [String] = []
        var cell = ""
        var escaped = false
        for c in row {
            if c == "|" && !escaped {
                cells.append(cell.trimmingSpacesAndTabs())
                cell = ""
            } else if c == "|" {
                cell.removeLast()
                cell.append(c)
            } else {
                cell.append(c)
            }
            escaped = c == "\\" && !escaped
        }
        cells.append(cell.trimmingSpacesAndTabs())
        return cells
    }

    /// A table from prose: columns as many as the header's, a row's missing cells empty and its
    /// extra ones left out. The table takes its direction from its text, so a Persian table's
    /// first column is on the right.
    private static func table(header: [String], alignments: [String?], rows: [[String]]) -> String {
        func cell(_ tag: String, _ text: String, _ k: Int) -> String {
            let align = alignments[k].map { " class=\"\($0)\"" } ?? ""
            return "<\(tag)\(align)>\(MarkdownInline.html(text))</\(tag)>"
        }
        let dir = direction((header + rows.joined()).joined(separator: " "))
        var out = "<div class=\"table\" dir=\"\(dir)\"><table class=\"prose\">\n<thead><tr>"
        out += header.indices.map { cell("th", header[$0], $0) }.joined() + "</tr></thead>\n"
        if !rows.isEmpty {
            out += "<tbody>\n"
            for row in rows {
                out += "<tr>" + header.indices.map { cell("td", $0 < row.count ? row[$0] : "", $0) }.joined() + "</tr>\n"
            }
            out += "</tbody>\n"
        }
        return out + "</table></div>\n"
    }

    /// `rtl` when the first letter of `text` is written right to left (Hebrew, Arabic, Persian,
    /// Syriac, Thaana, N'Ko and their presentation forms), else `ltr`: the rule `dir="auto"`
    /// follows, for an element whose children carry `dir` of their own.
    static func direction(_ text: String) -> String {
        direction(Substring(text)) ?? "ltr"
    }

    /// The direction of the first letter of `text`, or nil when it has none.
    private static func direction(_ text: Substring) -> String? {
        for u in text.unicodeScalars {
            // ASCII letters are the only alphabetic ASCII: no property look-up for the markers
            // and spaces a deeply nested list is made of.
            if u.isASCII {
                if ("a"..."z").contains(u) || ("A"..."Z").contains(u) { return "ltr" }
                continue
            }
            guard u.properties.isAlphabetic else { continue }
            let v = u.value
            let rtl = (0x0590...0x08FF).contains(v) || (0xFB1D...0xFDFF).contains(v) || (0xFE70...0xFEFF).contains(v)
                || (0x10800...0x10FFF).contains(v) || (0x1E800...0x1EFFF).contains(v)
            return rtl ? "rtl" : "ltr"
        }
        return nil
    }

    /// `=` under a paragraph makes it a level 1 heading, `-` level 2.
    private static func setextLevel(_ rest: Substring) -> Int? {
        let trimmed = rest.trimmingSpacesAndTabs()
        guard let first = trimmed.first, first == "=" || first == "-", trimmed.allSatisfy({ $0 == first }) else { return nil }
        return first == "=" ? 1 : 2
    }

    /// The marker of a list item: its character (`-`, `+`, `*`, `.` or `)`) and, for an ordered
    /// item, its number. Items with another marker start another list.
    private static func marker(_ rest: Substring) -> (Character, Int?) {
        if let c = rest.first, c == "-" || c == "+" || c == "*" { return (c, nil) }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        return (rest.dropFirst(digits.count).first ?? ".", Int(digits))
    }

    /// The list starting at `lines[i]`, whose first item `first` was read at `indent`.
    private static func list(_ lines: ArraySlice<Line>, from i: inout Int, first: (offset: Int, text: Substring), indent: Int,
                             depth: Int) -> String {
        let (kind, start) = marker(indentation(lines[i].text, upTo: 4).1)
        var items: [[Line]] = []
        var loose = false
        var item = first
        var itemIndent = indent
        while true {
            let content = itemIndent + item.offset
            var body: [Line] = [Line(item.text)]
            i += 1
            var lastBlank = body[0].isBlank
            // An item may start with one blank line, not two: `-` then a blank line is empty.
            let empty = lastBlank && i < lines.endIndex && lines[i].isBlank
            while !empty, i < lines.endIndex {
                let line = lines[i]
                let (lineIndent, rest) = indentation(line.text, upTo: max(content, 4))
                if line.isBlank {
                    body.append(Line("", isBlank: true))
                    lastBlank = true
                } else if lineIndent >= content {
                    body.append(line.stripping(content))
                    lastBlank = false
                } else if lineIndent <= 3, MarkdownBlocks.listItem(rest, interruptsParagraph: false) != nil {
                    // The next item, of this list or another.
                    break
                } else if !lastBlank, endsInParagraph(body.last!, depth: depth + 1), !MarkdownBlocks.startsBlock(rest, indent: lineIndent) {
                    // A lazy continuation line of the item's paragraph.
                    body.append(Line(rest, isBlank: false))
                } else {
                    break
                }
                i += 1
            }
            var trailing = 0
            while empty, i < lines.endIndex, lines[i].isBlank { i += 1; trailing += 1 }
            while let last = body.last, last.isBlank, body.count > 1 { body.removeLast(); trailing += 1 }
            // A blank line inside an item, between its blocks, makes the list loose.
            if body.dropFirst().contains(where: { $0.isBlank }) { loose = true }
            items.append(body)
            guard i < lines.endIndex else { break }
            let (nextIndent, nextRest) = indentation(lines[i].text, upTo: 4)
            guard nextIndent <= 3, let next = MarkdownBlocks.listItem(nextRest, interruptsParagraph: false),
                  marker(nextRest).0 == kind else { break }
            if trailing > 0 { loose = true }
            item = next
            itemIndent = nextIndent
        }
        // The list's direction is its text's, as `dir="auto"` would find it were the items'
        // own paragraphs not `dir="auto"` too: a Persian list has its markers on the right.
        // (Line by line: joining a deep list's text at each of its levels would be quadratic.)
        let dir = " dir=\"\(items.lazy.joined().lazy.compactMap { direction($0.text) }.first ?? "ltr")\""
        let open = start == nil ? "<ul\(dir)>" : start == 1 ? "<ol\(dir)>" : "<ol\(dir) start=\"\(start!)\">"
        var out = open + "\n"
        for body in items {
            var inner = blocks(body[...], tight: !loose, depth: depth + 1)
            if inner.hasSuffix("\n") { inner.removeLast() }
            out += "<li dir=\"auto\">" + inner + "</li>\n"
        }
        return out + (start == nil ? "</ul>\n" : "</ol>\n")
    }
}

extension StringProtocol {
    /// Without the spaces and tabs at its start (`leading`) or at both ends.
    func trimmingSpacesAndTabs(leading: Bool) -> String {
        guard leading else { return trimmingSpacesAndTabs() }
        return String(drop { $0 == " " || $0 == "\t" })
    }
}
