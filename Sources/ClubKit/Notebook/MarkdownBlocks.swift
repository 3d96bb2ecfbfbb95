/// Finds the fenced code blocks at the top level of a Markdown document, following CommonMark
/// (https://spec.commonmark.org/0.31.2/) as far as a notebook needs: which fences are real,
/// where each one closes, and which are only text inside something else.
///
/// Not top level, so never a notebook block: a fence inside another fence (an example in a
/// ````` ````markdown ````` block), in an indented code block (four spaces), in an HTML block
/// (`<!-- … -->`, `<details>` up to its blank line), in a block quote, or in a list item.
/// A fence closes only on a line of the same character at least as long as the one that opened
/// it; a fence that never closes runs to the end of the document.
///
///     let blocks = MarkdownBlocks.scan(lines)   // [FencedBlock(opening: 4, closing: 6, info: "clubsh", …)]
struct MarkdownBlocks {
    /// A fenced code block at the top level, by line index (0-based).
    struct FencedBlock: Equatable {
        var opening: Int
        /// nil when the fence never closes (the block runs to the end of the document).
        var closing: Int?
        /// The info string, trimmed: `clubsh`, `output`, `python {.x}`, …
        var info: String
        /// Spaces before the opening fence, removed from each content line (up to that many).
        var indent: Int
    }

    /// One line without its line ending (LF or CRLF).
    typealias Line = Substring

    struct Fence {
        var character: Character
        var length: Int
        var indent: Int
        var info: String
    }

    private enum HTMLEnd {
        /// Ends at the line containing this text (kinds 1–5).
        case marker([String])
        /// Ends at a blank line (kinds 6 and 7).
        case blankLine

        /// The end marker may be on the start line itself, after the opening.
        func closesOnSameLine(_ rest: Substring) -> Bool {
            guard case .marker(let markers) = self else { return false }
            return markers.contains { rest.dropFirst(2).contains($0) }
        }
    }

    /// An open block whose lines the scanner is inside.
    private enum Open {
        case fence(Fence, start: Int, topLevel: Bool)
        case html(HTMLEnd)
    }

    /// The top-level fenced blocks of `lines`, in order.
    static func scan(_ lines: [Line]) -> [FencedBlock] {
        var blocks: [FencedBlock] = []
        var open: Open?
        /// The content column of the top-level list item we are in, if any.
        var listIndent: Int?
        /// A paragraph is open (the next plain line continues it, even without indentation).
        var paragraph = false

        var i = 0
        while i < lines.count {
            let line = lines[i]
            let (indent, rest) = indentation(line)
            let blank = rest.allSatisfy { $0 == " " || $0 == "\t" }
            // Inside a list item, a block ends with the item: at a non-blank line indented less
            // than the item's content (only paragraph text may continue lazily).
            if let item = listIndent, !blank, indent < item, let current = open, !isTopLevel(current) {
                open = nil
                listIndent = nil
                paragraph = false
            }
            if let current = open {
                switch current {
                case .fence(let fence, let start, let topLevel):
                    let containerIndent = topLevel ? 0 : (listIndent ?? 0)
                    if closes(line, fence, containerIndent: containerIndent) {
                        if topLevel { blocks.append(FencedBlock(opening: start, closing: i, info: fence.info, indent: fence.indent)) }
                        open = nil
                    }
                case .html(let end):
                    switch end {
                    case .marker(let markers):
                        if markers.contains(where: { line.contains($0) }) { open = nil }
                    case .blankLine:
                        if blank { open = nil }
                    }
                }
                i += 1
                continue
            }

            if let item = listIndent {
                if blank {
                    paragraph = false
                    i += 1
                    continue
                }
                if indent >= item {
                    // Inside the list item: its own blocks are never top level.
                    let inner = stripColumns(line, item)
                    let (innerIndent, innerRest) = indentation(inner)
                    if innerIndent <= 3, let fence = opening(innerRest, indent: innerIndent) {
                        open = .fence(fence, start: i, topLevel: false)
                        paragraph = false
                    } else if innerIndent <= 3, let end = htmlStart(innerRest, interruptsParagraph: paragraph) {
                        open = end.closesOnSameLine(innerRest) ? nil : .html(end)
                        paragraph = false
                    } else {
                        paragraph = innerIndent >= 4 ? paragraph : true
                    }
                    i += 1
                    continue
                }
                if indent <= 3, listItem(rest, interruptsParagraph: false) == nil, paragraph, !startsBlock(rest, indent: indent) {
                    // A lazy continuation line of the item's paragraph.
                    i += 1
                    continue
                }
                if indent > 3, paragraph {
                    i += 1
                    continue
                }
                listIndent = nil
                paragraph = false
                // Falls through: the line is read at the top level (it may start a new item).
            }

            // The top level.
            if blank {
                paragraph = false
            } else if indent >= 4 {
                // An indented code block, or a paragraph's continuation: text either way.
            } else if let fence = opening(rest, indent: indent) {
                open = .fence(fence, start: i, topLevel: true)
                paragraph = false
            } else if let end = htmlStart(rest, interruptsParagraph: paragraph) {
                open = end.closesOnSameLine(rest) ? nil : .html(end)
                paragraph = false
            } else if isThematicBreak(rest) || rest.hasPrefix("#") && isATXHeading(rest) {
                paragraph = false
            } else if let content = listItem(rest, interruptsParagraph: paragraph) {
                listIndent = indent + content.offset
                // The item's first line may itself open a block.
                let (innerIndent, innerRest) = indentation(content.text)
                if content.text.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    paragraph = false
                } else if innerIndent <= 3, let fence = opening(innerRest, indent: innerIndent) {
                    open = .fence(fence, start: i, topLevel: false)
                    paragraph = false
                } else if innerIndent <= 3, let end = htmlStart(innerRest, interruptsParagraph: false) {
                    open = end.closesOnSameLine(innerRest) ? nil : .html(end)
                    paragraph = false
                } else {
                    paragraph = true
                }
            } else {
                // Paragraph text, or a block quote line (its own fences start with `>`).
                paragraph = true
            }
            i += 1
        }
        if case .fence(let fence, let start, true)? = open {
            blocks.append(FencedBlock(opening: start, closing: nil, info: fence.info, indent: fence.indent))
        }
        return blocks
    }

    private static func isTopLevel(_ open: Open) -> Bool {
        if case .fence(_, _, true) = open { return true }
        return false
    }

    // MARK: - Lines

    /// The line's indentation in columns (a tab advances to the next multiple of 4) and the rest.
    static func indentation(_ line: Line) -> (Int, Line) {
        var columns = 0
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if c == " " { columns += 1 } else if c == "\t" { columns += 4 - columns % 4 } else { break }
            index = line.index(after: index)
        }
        return (columns, line[index...])
    }

    /// `line` without its first `columns` columns of indentation (fewer if it has fewer).
    static func stripColumns(_ line: Line, _ columns: Int) -> Line {
        var used = 0
        var index = line.startIndex
        while index < line.endIndex, used < columns {
            let c = line[index]
            if c == " " { used += 1 } else if c == "\t" { used += 4 - used % 4 } else { break }
            index = line.index(after: index)
        }
        return line[index...]
    }

    /// An opening code fence: three or more backticks or tildes; a backtick fence's info string
    /// may not contain a backtick (that is inline code, not a fence).
    static func opening(_ rest: Line, indent: Int) -> Fence? {
        guard let first = rest.first, first == "`" || first == "~" else { return nil }
        let run = rest.prefix { $0 == first }
        guard run.count >= 3 else { return nil }
        let info = rest.dropFirst(run.count)
        if first == "`" && info.contains("`") { return nil }
        return Fence(character: first, length: run.count, indent: indent, info: info.trimmingSpacesAndTabs())
    }

    /// A closing fence: up to three spaces of indentation (inside the container), the same
    /// character at least as many times, then only spaces.
    static func closes(_ line: Line, _ fence: Fence, containerIndent: Int) -> Bool {
        let (indent, rest) = indentation(line)
        guard indent - containerIndent <= 3, indent >= containerIndent else { return false }
        let run = rest.prefix { $0 == fence.character }
        guard run.count >= fence.length else { return false }
        return rest.dropFirst(run.count).allSatisfy { $0 == " " || $0 == "\t" }
    }

    static func isThematicBreak(_ rest: Line) -> Bool {
        // Bytes, not Characters: every byte that counts is ASCII, and any other (a combining
        // mark too) makes the line something else. It stops at the first such byte.
        guard let first = rest.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "_") else { return false }
        var marks = 0
        for byte in rest.utf8 {
            if byte == first { marks += 1 } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { return false }
        }
        return marks >= 3
    }

    static func isATXHeading(_ rest: Line) -> Bool {
        let hashes = rest.prefix { $0 == "#" }
        guard (1...6).contains(hashes.count) else { return false }
        let after = rest.dropFirst(hashes.count)
        return after.isEmpty || after.first == " " || after.first == "\t"
    }

    /// A line that would end a paragraph instead of continuing it lazily.
    static func startsBlock(_ rest: Line, indent: Int) -> Bool {
        opening(rest, indent: indent) != nil || htmlStart(rest, interruptsParagraph: true) != nil || isThematicBreak(rest)
            || (rest.hasPrefix("#") && isATXHeading(rest)) || rest.hasPrefix(">") || listItem(rest, interruptsParagraph: true) != nil
    }

    /// A list item marker (`-`, `+`, `*`, `1.`, `1)`): the column its content starts at, relative
    /// to the marker, and the content. An empty item, or an ordered one whose number is not 1,
    /// cannot interrupt a paragraph; `001)` is 1, so a line of prose that starts "001) …" does.
    static func listItem(_ rest: Line, interruptsParagraph: Bool) -> (offset: Int, text: Line)? {
        var marker = 0
        if let c = rest.first, c == "-" || c == "+" || c == "*" {
            marker = 1
        } else {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard (1...9).contains(digits.count) else { return nil }
            let after = rest.dropFirst(digits.count)
            guard let d = after.first, d == "." || d == ")" else { return nil }
            if interruptsParagraph && Int(digits) != 1 { return nil }
            marker = digits.count + 1
        }
        let afterMarker = rest.dropFirst(marker)
        if afterMarker.isEmpty {
            return interruptsParagraph ? nil : (marker + 1, afterMarker)
        }
        guard afterMarker.first == " " || afterMarker.first == "\t" else { return nil }
        let (spaces, content) = indentation(afterMarker)
        if content.isEmpty && interruptsParagraph { return nil }
        // Five or more spaces: the content is an indented code block one space after the marker.
        let offset = content.isEmpty || spaces >= 5 ? marker + 1 : marker + spaces
        return (offset, spaces >= 5 ? stripColumns(afterMarker, 1) : content)
    }

    // MARK: - HTML blocks (CommonMark §4.6)

    private static let rawTags = ["pre", "script", "style", "textarea"]
    private static let blockTags: Set<String> = [
        "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center", "col", "colgroup",
        "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frame",
        "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link",
        "main", "menu", "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param", "search", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul",
    ]

    /// How the HTML block starting on this line ends, or nil when it does not start one.
    private static func htmlStart(_ rest: Line, interruptsParagraph: Bool) -> HTMLEnd? {
        guard rest.first == "<" else { return nil }
        let lower = rest.lowercased()
        for tag in rawTags where lower.hasPrefix("<" + tag) {
            let after = lower.dropFirst(tag.count + 1)
            if after.isEmpty || after.first == ">" || after.first == " " || after.first == "\t" {
                return .marker(rawTags.map { "</\($0)>" } + rawTags.map { "</\($0.uppercased())>" })
            }
        }
        if lower.hasPrefix("<!--") { return .marker(["-->"]) }
        if lower.hasPrefix("<?") { return .marker(["?>"]) }
        if lower.hasPrefix("<![cdata[") { return .marker(["]]>"]) }
        if lower.hasPrefix("<!"), let c = lower.dropFirst(2).first, c.isASCII && c.isLetter { return .marker([">"]) }
        let name = lower.dropFirst(lower.hasPrefix("</") ? 2 : 1).prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        let after = lower.dropFirst((lower.hasPrefix("</") ? 2 : 1) + name.count)
        if blockTags.contains(String(name)), after.isEmpty || after.hasPrefix(">") || after.hasPrefix("/>") || after.first == " " || after.first == "\t" {
            return .blankLine
        }
        // Kind 7: a complete open or closing tag alone on the line; it cannot interrupt a paragraph.
        if !interruptsParagraph, !name.isEmpty, isCompleteTagLine(lower) { return .blankLine }
        return nil
    }

    /// `<tag attr="…">` or `</tag>` followed only by spaces (a simplified reading of kind 7).
    private static func isCompleteTagLine(_ lower: String) -> Bool {
        guard let close = lower.firstIndex(of: ">") else { return false }
        let tag = lower[..<close]
        guard !tag.dropFirst().contains("<") else { return false }
        return lower[lower.index(after: close)...].allSatisfy { $0 == " " || $0 == "\t" }
    }
}

extension StringProtocol {
    func trimmingSpacesAndTabs() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
