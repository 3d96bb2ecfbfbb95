/// The inline part of the Markdown renderer behind `clubsh run --html`: code spans, emphasis and
/// strong emphasis (CommonMark's delimiter runs and its "process emphasis" procedure), links
/// and autolinks, backslash escapes, a few entities, and hard line breaks. Everything else is
/// text and is escaped — raw HTML included, so a notebook's prose can never add markup or script
/// to the page. A link whose destination is not http, https, mailto or relative (a
/// `javascript:` URL) keeps its text and loses the link.
///
///     MarkdownInline.html("**New** — see `types`")   // "<strong>New</strong> — see <code>types</code>"
enum MarkdownInline {
    /// A piece of a paragraph before emphasis is resolved.
    private enum Node {
        /// Text, not yet escaped.
        case text(String)
        /// Markup made here, already safe.
        case markup(String)
        /// A run of `*` or `_` that may open or close emphasis.
        case delimiter(Delimiter)
    }

    private struct Delimiter {
        var character: Character
        var count: Int
        let original: Int
        var canOpen: Bool
        var canClose: Bool
        /// Tags this run became, outermost first (an opener) or innermost first (a closer).
        var opens: [String] = []
        var closes: [String] = []
    }

    /// The inline content of a paragraph or heading (lines joined by "\n") as HTML.
    static func html(_ text: String) -> String {
        render(Array(text), links: true)
    }

    private static func render(_ chars: [Character], links: Bool) -> String {
        var nodes: [Node] = []
        var buffer = ""
        func flush() {
            if !buffer.isEmpty { nodes.append(.text(buffer)); buffer = "" }
        }
        var i = 0
        let n = chars.count
        while i < n {
            let c = chars[i]
            switch c {
            case "\\":
                if i + 1 < n, chars[i + 1] == "\n" {
                    flush(); nodes.append(.markup("<br>\n")); i += 2
                } else if i + 1 < n, chars[i + 1].isASCII, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                    buffer.append(chars[i + 1]); i += 2
                } else {
                    buffer.append(c); i += 1
                }
            case "`":
                let run = count(chars, from: i, of: "`")
                if let (code, end) = codeSpan(chars, at: i, run: run) {
                    flush(); nodes.append(.markup("<code>" + HTML.text(code) + "</code>")); i = end
                } else {
                    buffer += String(repeating: "`", count: run); i += run
                }
            case "*", "_":
                let run = count(chars, from: i, of: c)
                let before: Character? = i > 0 ? chars[i - 1] : nil
                let after: Character? = i + run < n ? chars[i + run] : nil
                let left = flanking(next: after, previous: before)
                let right = flanking(next: before, previous: after)
                let canOpen = c == "*" ? left : left && (!right || isPunctuation(before))
                let canClose = c == "*" ? right : right && (!left || isPunctuation(after))
                flush()
                nodes.append(.delimiter(Delimiter(character: c, count: run, original: run, canOpen: canOpen, canClose: canClose)))
                i += run
            case "\n":
                // Two spaces before a line break make a hard break; other trailing spaces go.
                let hard = buffer.hasSuffix("  ")
                while buffer.last == " " { buffer.removeLast() }
                flush()
                nodes.append(.markup(hard ? "<br>\n" : "\n"))
                i += 1
                while i < n, chars[i] == " " { i += 1 }
            case "[" where links, "!" where links && i + 1 < n && chars[i + 1] == "[":
                let image = c == "!"
                if let (label, destination, end) = link(chars, at: image ? i + 1 : i) {
                    flush()
                    let inner = render(label, links: false)
                    if let href = safeDestination(destination) {
                        nodes.append(.markup("<a href=\"\(HTML.text(href))\">\(inner)</a>"))
                    } else {
                        nodes.append(.markup(inner))
                    }
                    i = end
                } else {
                    buffer.append(c); i += 1
                }
            case "<":
                if let (target, end) = autolink(chars, at: i) {
                    flush()
                    let href = target.contains(":") ? target : "mailto:" + target
                    nodes.append(.markup("<a href=\"\(HTML.text(href))\">\(HTML.text(target))</a>"))
                    i = end
                } else {
                    buffer.append(c); i += 1
                }
            case "&":
                if let (decoded, end) = entity(chars, at: i) {
                    buffer += decoded; i = end
                } else {
                    buffer.append(c); i += 1
                }
            default:
                buffer.append(c); i += 1
            }
        }
        flush()
        resolveEmphasis(&nodes)
        var out = ""
        for node in nodes {
            switch node {
            case .text(let s): out += HTML.text(s)
            case .markup(let s): out += s
            case .delimiter(let d):
                // A run closes with its first characters and opens with its last: what it
                // closed, then what is left of it as text, then what it opened.
                out += d.closes.joined()
                out += String(repeating: d.character, count: d.count)
                out += d.opens.joined()
            }
        }
        return out
    }

    private static func count(_ chars: [Character], from i: Int, of c: Character) -> Int {
        var j = i
        while j < chars.count, chars[j] == c { j += 1 }
        return j - i
    }

    // MARK: - Emphasis (CommonMark 0.31, §6.2 and "process emphasis")

    private static func isPunctuation(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c.isPunctuation || c.isSymbol
    }

    /// Whether a run is left-flanking, given the characters after (`next`) and before it
    /// (`previous`); swapped, whether it is right-flanking. The ends of the text count as
    /// white space.
    private static func flanking(next: Character?, previous: Character?) -> Bool {
        guard let next, !next.isWhitespace else { return false }
        return !isPunctuation(next) || previous == nil || previous!.isWhitespace || isPunctuation(previous)
    }

    private static func resolveEmphasis(_ nodes: inout [Node]) {
        // The lowest index an opener may have for a closer of this kind: past a closer that
        // found none, no later closer of the same kind will (keeps long runs of `*` linear).
        var bottom: [String: Int] = [:]
        var closer = 0
        while closer < nodes.count {
            guard case .delimiter(var close) = nodes[closer], close.canClose, close.count > 0 else { closer += 1; continue }
            let key = "\(close.character)\(close.canOpen)\(close.original % 3)"
            var opener = closer - 1
            var found: Int?
            while opener >= (bottom[key] ?? 0) {
                if case .delimiter(let open) = nodes[opener], open.character == close.character, open.canOpen, open.count > 0 {
                    let multipleOfThree = (open.canClose || close.canOpen) && (open.original + close.original) % 3 == 0
                        && !(open.original % 3 == 0 && close.original % 3 == 0)
                    if !multipleOfThree { found = opener; break }
                }
                opener -= 1
            }
            guard let o = found, case .delimiter(var open) = nodes[o] else {
                bottom[key] = closer
                if !close.canOpen { close.canClose = false; nodes[closer] = .delimiter(close) }
                closer += 1
                continue
            }
            let use = open.count >= 2 && close.count >= 2 ? 2 : 1
            let tag = use == 2 ? "strong" : "em"
            open.count -= use
            close.count -= use
            open.opens.insert("<\(tag)>", at: 0)
            close.closes.append("</\(tag)>")
            nodes[o] = .delimiter(open)
            nodes[closer] = .delimiter(close)
            // Delimiters between the two can no longer match: they stay as text.
            for k in (o + 1)..<closer {
                if case .delimiter(var d) = nodes[k] { d.canOpen = false; d.canClose = false; nodes[k] = .delimiter(d) }
            }
            if close.count == 0 { closer += 1 }
        }
    }

    // MARK: - Code spans, links, autolinks, entities

    /// A code span opened by `run` backticks at `i`: its content (line breaks as spaces, one
    /// space stripped from each end when both have one) and the index after its closing run.
    private static func codeSpan(_ chars: [Character], at i: Int, run: Int) -> (String, Int)? {
        var j = i + run
        while j < chars.count {
            if chars[j] == "`" {
                let closing = count(chars, from: j, of: "`")
                if closing == run {
                    var content = String(chars[(i + run)..<j]).replacingNewlines()
                    if content.count >= 2, content.first == " ", content.last == " ", content.contains(where: { $0 != " " }) {
                        content = String(content.dropFirst().dropLast())
                    }
                    return (content, j + closing)
                }
                j += closing
            } else {
                j += 1
            }
        }
        return nil
    }

    /// `[text](destination "title")` at `i`: the text, the destination and the index after `)`.
    private static func link(_ chars: [Character], at i: Int) -> ([Character], String, Int)? {
        guard chars[i] == "[" else { return nil }
        var depth = 0
        var j = i
        var close: Int?
        while j < chars.count {
            let c = chars[j]
            if c == "\\" { j += 2; continue }
            if c == "`" {
                let run = count(chars, from: j, of: "`")
                if let (_, end) = codeSpan(chars, at: j, run: run) { j = end } else { j += run }
                continue
            }
            if c == "[" { depth += 1 }
            if c == "]" { depth -= 1; if depth == 0 { close = j; break } }
            j += 1
        }
        guard let close, close + 1 < chars.count, chars[close + 1] == "(" else { return nil }
        var k = close + 2
        func skipSpaces() { while k < chars.count, chars[k] == " " || chars[k] == "\n" || chars[k] == "\t" { k += 1 } }
        skipSpaces()
        var destination = ""
        if k < chars.count, chars[k] == "<" {
            k += 1
            while k < chars.count, chars[k] != ">" {
                if chars[k] == "\n" || chars[k] == "<" { return nil }
                if chars[k] == "\\", k + 1 < chars.count { destination.append(chars[k + 1]); k += 2; continue }
                destination.append(chars[k]); k += 1
            }
            guard k < chars.count else { return nil }
            k += 1
        } else {
            var parens = 0
            while k < chars.count {
                let c = chars[k]
                if c.isWhitespace || c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { break }
                if c == "\\", k + 1 < chars.count, chars[k + 1].isASCII, chars[k + 1].isPunctuation || chars[k + 1].isSymbol {
                    destination.append(chars[k + 1]); k += 2; continue
                }
                if c == "(" { parens += 1 }
                if c == ")" { if parens == 0 { break }; parens -= 1 }
                destination.append(c); k += 1
            }
            guard parens == 0 else { return nil }
        }
        skipSpaces()
        // An optional title: shown nowhere, but it must be well formed for this to be a link.
        if k < chars.count, let end: Character = ["\"": "\"", "'": "'", "(": ")"][chars[k]] {
            k += 1
            while k < chars.count, chars[k] != end {
                if chars[k] == "\\" { k += 1 }
                k += 1
            }
            guard k < chars.count else { return nil }
            k += 1
            skipSpaces()
        }
        guard k < chars.count, chars[k] == ")" else { return nil }
        return (Array(chars[(i + 1)..<close]), destination, k + 1)
    }

    /// The destinations a page may link to: http, https, mailto, an anchor, or a relative path
    /// (no scheme before the first `/`, `?` or `#`). Anything else — `javascript:`, `data:` —
    /// is nil and the link keeps only its text.
    static func safeDestination(_ destination: String) -> String? {
        let lower = destination.lowercased()
        for scheme in ["http://", "https://", "mailto:"] where lower.hasPrefix(scheme) { return destination }
        let head = lower.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return head.contains(":") ? nil : destination
    }

    /// `<https://…>`, `<mailto:…>` or `<name@example.com>` at `i`: the target and the index after `>`.
    private static func autolink(_ chars: [Character], at i: Int) -> (String, Int)? {
        var j = i + 1
        var target = ""
        while j < chars.count, chars[j] != ">" {
            let c = chars[j]
            if c.isWhitespace || c == "<" || c.unicodeScalars.contains(where: { $0.value < 0x20 }) { return nil }
            target.append(c)
            j += 1
        }
        guard j < chars.count else { return nil }
        let lower = target.lowercased()
        let isURL = ["http://", "https://", "mailto:"].contains { lower.hasPrefix($0) && lower.count > $0.count }
        let parts = target.split(separator: "@", omittingEmptySubsequences: false)
        let isEmail = parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && target.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".@_+-".contains($0)) }
        return isURL || isEmail ? (target, j + 1) : nil
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "copy": "©", "mdash": "—", "ndash": "–",
        "hellip": "…", "times": "×", "minus": "−", "rarr": "→", "larr": "←", "laquo": "«", "raquo": "»", "zwnj": "\u{200C}",
    ]

    /// `&amp;`, `&#1740;` or `&#x6CC;` at `i`: the character and the index after `;`. Other
    /// names stay as written (and are shown escaped): the page needs no entity table.
    private static func entity(_ chars: [Character], at i: Int) -> (String, Int)? {
        var j = i + 1
        var name = ""
        while j < chars.count, j - i <= 32, chars[j] != ";" {
            guard chars[j].isASCII, chars[j].isLetter || chars[j].isNumber || chars[j] == "#" else { return nil }
            name.append(chars[j])
            j += 1
        }
        guard j < chars.count, chars[j] == ";", !name.isEmpty else { return nil }
        if name.hasPrefix("#") {
            let hex = name.dropFirst().first.map { $0 == "x" || $0 == "X" } ?? false
            let digits = name.dropFirst(hex ? 2 : 1)
            guard (1...(hex ? 6 : 7)).contains(digits.count), let code = UInt32(digits, radix: hex ? 16 : 10) else { return nil }
            let scalar = code == 0 ? nil : Unicode.Scalar(code)
            return (String(Character(scalar ?? "\u{FFFD}")), j + 1)
        }
        guard let text = namedEntities[name] else { return nil }
        return (text, j + 1)
    }
}

private extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" ? " " : $0 })
    }
}
