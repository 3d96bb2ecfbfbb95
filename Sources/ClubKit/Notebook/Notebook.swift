/// A Markdown notebook (brief §8): prose, fenced `clubsh` blocks, and after each an optional
/// fenced `output` block. Parsing keeps every byte, so writing it back changes only the output
/// blocks that were replaced.
///
/// Only what the author wrote runs: a block runs when it is a fenced code block at the top level
/// of the document (CommonMark) whose info string is exactly `clubsh`. A `clubsh` fence shown as
/// an example inside a longer fence, in an indented code block, an HTML comment, a block quote
/// or a list item is text. Output blocks are fenced with more backticks than any run in the
/// output, so no data can close the fence and start a block of its own. LF and CRLF files both
/// read; fresh blocks are written with the file's own line ending.
public struct Notebook: Equatable, Sendable {
    /// A piece of the file, in order; concatenating every `raw` gives the file back.
    enum Part: Equatable, Sendable {
        case prose(String)
        /// A `clubsh` block: its statements and its whole fenced text.
        case code(source: String, raw: String, line: Int)
        /// An `output` block: its content and its whole fenced text.
        case output(text: String, raw: String)
    }

    var parts: [Part]
    /// `"\r\n"` when the file's first line ends so, else `"\n"`: fresh blocks use it.
    var lineEnding: String
    /// The line (1-based) of a `clubsh` or `output` fence that never closes: CommonMark makes
    /// the rest of the file its content, so the notebook is refused rather than guessed at.
    public var unclosedBlockLine: Int?

    init(parts: [Part], lineEnding: String = "\n") {
        self.parts = parts
        self.lineEnding = lineEnding
    }

    /// Splits Markdown into parts.
    public init(markdown: String) {
        // Lines without their endings, and the endings (LF, CRLF, or none for the last line).
        // Split by bytes: to Swift, CRLF is one Character and not equal to "\n".
        var lines: [Substring] = []
        var endings: [String] = []
        let bytes = Array(markdown.utf8)
        var start = 0
        for (i, b) in bytes.enumerated() where b == 10 {
            let crlf = i > start && bytes[i - 1] == 13
            lines.append(Substring(String(decoding: bytes[start..<(crlf ? i - 1 : i)], as: UTF8.self)))
            endings.append(crlf ? "\r\n" : "\n")
            start = i + 1
        }
        if start < bytes.count {
            lines.append(Substring(String(decoding: bytes[start...], as: UTF8.self)))
            endings.append("")
        }
        lineEnding = endings.first == "\r\n" ? "\r\n" : "\n"

        func raw(_ range: Range<Int>) -> String {
            range.map { String(lines[$0]) + endings[$0] }.joined()
        }
        var parts: [Part] = []
        var cursor = 0
        for block in MarkdownBlocks.scan(lines) where block.info == "clubsh" || block.info == "output" {
            guard let closing = block.closing else {
                unclosedBlockLine = block.opening + 1
                break
            }
            if cursor < block.opening { parts.append(.prose(raw(cursor..<block.opening))) }
            let content = (block.opening + 1..<closing).map { MarkdownBlocks.stripColumns(lines[$0], block.indent) + "\n" }.joined()
            let whole = raw(block.opening..<closing + 1)
            parts.append(block.info == "clubsh" ? .code(source: content, raw: whole, line: block.opening + 1) : .output(text: content, raw: whole))
            cursor = closing + 1
        }
        if cursor < lines.count { parts.append(.prose(raw(cursor..<lines.count))) }
        self.parts = parts
    }

    /// The file's text.
    public var markdown: String {
        parts.map { part in
            switch part {
            case .prose(let s): return s
            case .code(_, let raw, _), .output(_, let raw): return raw
            }
        }.joined()
    }

    /// The `clubsh` blocks, each with the stored output that follows it (if any).
    public var cells: [(source: String, line: Int, stored: String?)] {
        var out: [(String, Int, String?)] = []
        for (k, part) in parts.enumerated() {
            guard case .code(let source, _, let line) = part else { continue }
            out.append((source, line, storedOutput(after: k)))
        }
        return out
    }

    /// The output block after part `k`, skipping blank prose between.
    private func storedOutput(after k: Int) -> String? {
        var j = k + 1
        if j < parts.count, case .prose(let p) = parts[j], p.allSatisfy(\.isWhitespace) { j += 1 }
        if j < parts.count, case .output(let text, _) = parts[j] { return text }
        return nil
    }

    /// The notebook with each `clubsh` block's output block replaced by (or given) `outputs[i]`.
    public func updated(with outputs: [String]) -> Notebook {
        var result: [Part] = []
        var cell = 0
        var k = 0
        while k < parts.count {
            let part = parts[k]
            result.append(part)
            k += 1
            guard case .code(_, let codeRaw, _) = part, cell < outputs.count else { continue }
            let text = Self.endingWithNewline(outputs[cell])
            let fresh = Part.output(text: text, raw: Self.fenced(text, info: "output", lineEnding: lineEnding))
            cell += 1
            // Replace an existing output block (keeping the blank lines before it) or add one.
            var j = k
            if j < parts.count, case .prose(let p) = parts[j], p.allSatisfy(\.isWhitespace) { j += 1 }
            if j < parts.count, case .output = parts[j] {
                if j > k { result.append(parts[k]) }
                result.append(fresh)
                k = j + 1
            } else {
                result.append(.prose(codeRaw.utf8.last == 10 ? lineEnding : lineEnding + lineEnding))
                result.append(fresh)
            }
        }
        var notebook = Notebook(parts: result, lineEnding: lineEnding)
        notebook.unclosedBlockLine = unclosedBlockLine
        return notebook
    }

    /// Markdown for a session: each statement in a `clubsh` block followed by its output.
    public static func transcript(_ cells: [(statement: String, output: String)], title: String = "clubsh session") -> String {
        "# \(title)\n\n" + cells.map {
            fenced($0.statement + "\n", info: "clubsh", lineEnding: "\n") + "\n" + fenced(endingWithNewline($0.output), info: "output", lineEnding: "\n")
        }.joined(separator: "\n")
    }

    /// `text` in a fenced block: the fence is one backtick longer than the longest run of
    /// backticks in the text (at least three), so nothing in the text can close it (CommonMark
    /// §4.5). Lines end with `lineEnding`.
    static func fenced(_ text: String, info: String, lineEnding: String) -> String {
        var longest = 0, run = 0
        for c in text.unicodeScalars {
            if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        let body = lineEnding == "\n" ? text : text.replacingOccurrences(of: "\n", with: lineEnding)
        return fence + info + lineEnding + body + fence + lineEnding
    }

    /// An output as stored: every line ends with a newline.
    public static func endingWithNewline(_ text: String) -> String {
        text.isEmpty || text.utf8.last == 10 ? text : text + "\n"
    }
}

