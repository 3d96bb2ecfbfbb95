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
public enum MarkdownHTML {
    public static func render(_ markdown: String) -> String {
        // Lines without their endings (to Swift, CRLF is one Character, not "\n" and a CR).
        var lines = markdown.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        return blocks(lines[...], tight: false)
    }

    typealias Line = Substring

    private static func isBlank(_ line: Line) -> Bool { line.allSatisfy { $0 == " " || $0 == "\t" } }

    /// The blocks of `lines` as HTML; in a tight list item, paragraphs have no `<p>`.
    static func blocks(_ lines: ArraySlice<Line>, tight: Bool) -> String {
        var out = ""
        var paragraph: [Line] = []
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
            let (indent, rest) = MarkdownBlocks.indentation(line)
            if isBlank(line) {
                flush()
                i += 1
                continue
            }
            if indent >= 4 {
                if !paragraph.isEmpty {
                    paragraph.append(rest)
                    i += 1
                    continue
                }
                // An indented code block: lines indented four columns, and blank lines between.
                var code: [Line] = []
                while i < lines.endIndex, isBlank(lines[i]) || MarkdownBlocks.indentation(lines[i]).0 >= 4 {
                    code.append(MarkdownBlocks.stripColumns(lines[i], 4))
                    i += 1
                }
                while let last = code.last, isBlank(last) { code.removeLast() }
                out += "<pre><code>" + HTML.text(code.joined(separator: "\n") + "\n") + "</code></pre>\n"
                continue
            }
            if let fence = MarkdownBlocks.opening(rest, indent: indent) {
                flush()
                i += 1
                var code: [Line] = []
                while i < lines.endIndex, !MarkdownBlocks.closes(lines[i], fence, containerIndent: 0) {
                    code.append(MarkdownBlocks.stripColumns(lines[i], fence.indent))
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
                while i < lines.endIndex, !isBlank(lines[i]) {
                    let (rowIndent, rowRest) = MarkdownBlocks.indentation(lines[i])
                    if MarkdownBlocks.startsBlock(rowRest, indent: rowIndent) { break }
                    rows.append(cells(lines[i]))
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
            if rest.hasPrefix(">") {
                flush()
                var inner: [Line] = []
                var lazyAllowed = false
                while i < lines.endIndex {
                    let (quoteIndent, quoteRest) = MarkdownBlocks.indentation(lines[i])
                    if quoteIndent <= 3, quoteRest.hasPrefix(">") {
                        var content = quoteRest.dropFirst()
                        if content.first == " " || content.first == "\t" { content = content.dropFirst() }
                        inner.append(content)
                        lazyAllowed = !isBlank(content)
                    } else if lazyAllowed, endsInParagraph(inner.last!), !isBlank(lines[i]), setextLevel(quoteRest) == nil,
                              !MarkdownBlocks.startsBlock(quoteRest, indent: quoteIndent) {
                        // A lazy line continues the quote's paragraph (it cannot underline it).
                        inner.append(lines[i])
                    } else {
                        break
                    }
                    i += 1
                }
                out += "<blockquote dir=\"auto\">\n" + blocks(inner[...], tight: false) + "</blockquote>\n"
                continue
            }
            if rest.hasPrefix("<!--") {
                flush()
                // An HTML comment: left out, up to the line that ends it (this one, after `<!--`).
                var ends = rest.dropFirst(4).contains("-->")
                i += 1
                while !ends, i < lines.endIndex {
                    ends = lines[i].contains("-->")
                    i += 1
                }
                continue
            }
            if indent <= 3, let item = MarkdownBlocks.listItem(rest, interruptsParagraph: !paragraph.isEmpty) {
                flush()
                out += list(lines, from: &i, first: item, indent: indent)
                continue
            }
            paragraph.append(line)
            i += 1
        }
        flush()
        return out
    }

    /// Whether `line`, the last of a list item or block quote so far, is paragraph text, which
    /// alone a lazy line (one without the item's indentation or the quote's `>`) continues.
    private static func endsInParagraph(_ line: Line) -> Bool {
        var (indent, rest) = MarkdownBlocks.indentation(line)
        while indent <= 3 {
            if let item = MarkdownBlocks.listItem(rest, interruptsParagraph: false) {
                (indent, rest) = MarkdownBlocks.indentation(item.text)
            } else if rest.hasPrefix(">") {
                (indent, rest) = MarkdownBlocks.indentation(rest.dropFirst())
            } else {
                break
            }
        }
        guard !isBlank(rest), indent <= 3 else { return false }
        return !(rest.hasPrefix("#") && MarkdownBlocks.isATXHeading(rest)) && !MarkdownBlocks.isThematicBreak(rest)
            && MarkdownBlocks.opening(rest, indent: indent) == nil
    }

    /// A table's delimiter row (`| --- | :---: | ---: |`): each column's alignment, or nil when
    /// the line is not one. It needs a `|`, so `---` alone stays a heading's underline.
    private static func delimiterRow(_ rest: Line) -> [String?]? {
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
    private static func cells(_ line: Line) -> [String] {
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
        for u in text.unicodeScalars where u.properties.isAlphabetic {
            let v = u.value
            let rtl = (0x0590...0x08FF).contains(v) || (0xFB1D...0xFDFF).contains(v) || (0xFE70...0xFEFF).contains(v)
                || (0x10800...0x10FFF).contains(v) || (0x1E800...0x1EFFF).contains(v)
            return rtl ? "rtl" : "ltr"
        }
        return "ltr"
    }

    /// `=` under a paragraph makes it a level 1 heading, `-` level 2.
    private static func setextLevel(_ rest: Line) -> Int? {
        let trimmed = rest.trimmingSpacesAndTabs()
        guard let first = trimmed.first, first == "=" || first == "-", trimmed.allSatisfy({ $0 == first }) else { return nil }
        return first == "=" ? 1 : 2
    }

    /// The marker of a list item: its character (`-`, `+`, `*`, `.` or `)`) and, for an ordered
    /// item, its number. Items with another marker start another list.
    private static func marker(_ rest: Line) -> (Character, Int?) {
        if let c = rest.first, c == "-" || c == "+" || c == "*" { return (c, nil) }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        return (rest.dropFirst(digits.count).first ?? ".", Int(digits))
    }

    /// The list starting at `lines[i]`, whose first item `first` was read at `indent`.
    private static func list(_ lines: ArraySlice<Line>, from i: inout Int, first: (offset: Int, text: Line), indent: Int) -> String {
        let (kind, start) = marker(MarkdownBlocks.indentation(lines[i]).1)
        var items: [[Line]] = []
        var loose = false
        var item = first
        var itemIndent = indent
        while true {
            let content = itemIndent + item.offset
            var body: [Line] = [item.text]
            i += 1
            var lastBlank = isBlank(item.text)
            // An item may start with one blank line, not two: `-` then a blank line is empty.
            let empty = lastBlank && i < lines.endIndex && isBlank(lines[i])
            while !empty, i < lines.endIndex {
                let line = lines[i]
                let (lineIndent, rest) = MarkdownBlocks.indentation(line)
                if isBlank(line) {
                    body.append("")
                    lastBlank = true
                } else if lineIndent >= content {
                    body.append(MarkdownBlocks.stripColumns(line, content))
                    lastBlank = false
                } else if lineIndent <= 3, MarkdownBlocks.listItem(rest, interruptsParagraph: false) != nil {
                    // The next item, of this list or another.
                    break
                } else if !lastBlank, endsInParagraph(body.last!), !MarkdownBlocks.startsBlock(rest, indent: lineIndent) {
                    // A lazy continuation line of the item's paragraph.
                    body.append(rest)
                } else {
                    break
                }
                i += 1
            }
            var trailing = 0
            while empty, i < lines.endIndex, isBlank(lines[i]) { i += 1; trailing += 1 }
            while let last = body.last, isBlank(last), body.count > 1 { body.removeLast(); trailing += 1 }
            // A blank line inside an item, between its blocks, makes the list loose.
            if body.dropFirst().contains(where: isBlank) { loose = true }
            items.append(body)
            guard i < lines.endIndex else { break }
            let (nextIndent, nextRest) = MarkdownBlocks.indentation(lines[i])
            guard nextIndent <= 3, let next = MarkdownBlocks.listItem(nextRest, interruptsParagraph: false),
                  marker(nextRest).0 == kind else { break }
            if trailing > 0 { loose = true }
            item = next
            itemIndent = nextIndent
        }
        // The list's direction is its text's, as `dir="auto"` would find it were the items'
        // own paragraphs not `dir="auto"` too: a Persian list has its markers on the right.
        let dir = " dir=\"\(direction(items.joined().joined(separator: "\n")))\""
        let open = start == nil ? "<ul\(dir)>" : start == 1 ? "<ol\(dir)>" : "<ol\(dir) start=\"\(start!)\">"
        var out = open + "\n"
        for body in items {
            var inner = blocks(body[...], tight: !loose)
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
