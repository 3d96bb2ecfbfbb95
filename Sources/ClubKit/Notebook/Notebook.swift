/// A Markdown notebook (brief §8): prose, fenced `clubsh` blocks, and after each an optional
/// fenced `output` block. Parsing keeps every byte, so writing it back changes only the output
/// blocks that were replaced.
public struct Notebook: Equatable, Sendable {
    /// A piece of the file, in order; concatenating every `raw` gives the file back.
    public enum Part: Equatable, Sendable {
        case prose(String)
        /// A `clubsh` block: its statements and its whole fenced text.
        case code(source: String, raw: String, line: Int)
        /// An `output` block: its content and its whole fenced text.
        case output(text: String, raw: String)
    }

    public var parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    /// Splits Markdown into parts. A fence is a line of three or more backticks or tildes; its
    /// info string says `clubsh` or `output`.
    public init(markdown: String) {
        var parts: [Part] = []
        var prose = ""
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        func flushProse() {
            if !prose.isEmpty { parts.append(.prose(prose)); prose = "" }
        }
        while i < lines.count {
            let line = lines[i]
            let isLast = i == lines.count - 1
            let newline = isLast ? "" : "\n"
            if let fence = Self.fence(line), ["clubsh", "output"].contains(fence.info) {
                var body: [String] = []
                var j = i + 1
                while j < lines.count, !(Self.closes(lines[j], fence.marker)) { body.append(lines[j]); j += 1 }
                guard j < lines.count else { prose += line + newline; i += 1; continue }
                let raw = ([line] + body + [lines[j]]).joined(separator: "\n") + (j == lines.count - 1 ? "" : "\n")
                let content = body.map { $0 + "\n" }.joined()
                flushProse()
                parts.append(fence.info == "clubsh" ? .code(source: content, raw: raw, line: i + 1) : .output(text: content, raw: raw))
                i = j + 1
                continue
            }
            prose += line + newline
            i += 1
        }
        flushProse()
        self.parts = parts
    }

    private static func fence(_ line: String) -> (marker: String, info: String)? {
        let trimmed = line.drop { $0 == " " }
        guard let first = trimmed.first, first == "`" || first == "~" else { return nil }
        let marker = String(trimmed.prefix { $0 == first })
        guard marker.count >= 3 else { return nil }
        let info = trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
        return (marker, info)
    }

    private static func closes(_ line: String, _ marker: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix(marker) && trimmed.allSatisfy { $0 == marker.first }
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
            guard case .code = part, cell < outputs.count else { continue }
            let fresh = Part.output(text: outputs[cell], raw: "```output\n" + outputs[cell] + "```\n")
            cell += 1
            // Replace an existing output block (keeping the blank lines before it) or add one.
            var j = k
            if j < parts.count, case .prose(let p) = parts[j], p.allSatisfy(\.isWhitespace) { j += 1 }
            if j < parts.count, case .output = parts[j] {
                if j > k { result.append(parts[k]) }
                result.append(fresh)
                k = j + 1
            } else {
                result.append(.prose("\n"))
                result.append(fresh)
            }
        }
        return Notebook(parts: result)
    }

    /// Markdown for a session: each statement in a `clubsh` block followed by its output.
    public static func transcript(_ cells: [(statement: String, output: String)], title: String = "clubsh session") -> String {
        "# \(title)\n\n" + cells.map { "```clubsh\n\($0.statement)\n```\n\n```output\n\($0.output)```\n" }.joined(separator: "\n")
    }
}

/// A unified diff of two texts, line by line (longest common subsequence).
public enum LineDiff {
    public static func unified(_ old: String, _ new: String, oldName: String = "stored", newName: String = "fresh") -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { out += " " + a[i] + "\n"; i += 1; j += 1 }
            else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] { out += "-" + a[i] + "\n"; i += 1 }
            else { out += "+" + b[j] + "\n"; j += 1 }
        }
        return out
    }
}
