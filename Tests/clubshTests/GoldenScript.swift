import Foundation

/// A golden `.club` script: clubsh statements, each followed by a comment block that says what it
/// prints (`# expect:`) or how it fails (`# error: LINE:COL message`). The format is described in
/// Golden/README.md; `GoldenScriptTests` runs every script in Golden/.
struct GoldenScript {
    /// A mistake in the script's own format, at a line of it.
    struct FormatError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    /// One expectation block and the statements above it (back to the previous block).
    struct Block {
        /// The block's first line (1-based): the line the runner replaces with its marker.
        var line: Int
        /// The lines of the statements the block speaks about.
        var statements: ClosedRange<Int>
        /// The `# expect:` line, when the block has one.
        var expectLine: Int?
        /// The expected output lines; none when there is no `# expect:` (the statements print nothing).
        var output: [String] = []
        /// Each `# error:` line: where it is, and the error as clubsh reports it, `LINE:COL message`.
        var errors: [(line: Int, text: String)] = []
    }

    /// A difference between what a script expects and what clubsh did, at a line of the script.
    struct Failure: CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    static let expectHeader = "# expect:"
    static let errorPrefix = "# error: "
    /// The statement the runner puts on each block's first line: `.help` on a topic that does not
    /// exist, which prints a line naming it whatever the mode and changes nothing in the session
    /// (nor shows in a `.save`d notebook). In the output, that line marks where the statements
    /// above the block end.
    static func marker(line: Int) -> String { ".help \(markerName(line: line))" }
    private static func markerName(line: Int) -> String { "clubsh_golden_marker_at_line_\(line)" }

    /// How the runner starts clubsh: errors do not stop the script, and `days_since` counts to a
    /// fixed date, so no script's output depends on the day it runs.
    static let arguments = ["--keep-going", "--as-of", "2024-06-30"]

    let lines: [String]
    let blocks: [Block]

    init(_ text: String) throws(FormatError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        self.lines = lines
        var blocks: [Block] = []
        var firstStatementLine = 1
        var i = 0
        while i < lines.count {
            let line = lines[i]
            guard Self.startsBlock(line) else { i += 1; continue }
            let start = i + 1
            let code = (firstStatementLine..<start).filter { Self.isCode(lines[$0 - 1]) }
            guard let first = code.first, let last = code.last else {
                throw FormatError(line: start, message: "there is no statement above this block (the previous block ends at a blank line or a statement)")
            }
            if let end = lines[last - 1].trimmingCharacters(in: .whitespaces).last, end == "|" || end == "," {
                throw FormatError(line: last, message: "this line ends with `\(end)`, so its statement goes on past the block below it")
            }
            var block = Block(line: start, statements: first...last)
            while i < lines.count, lines[i].hasPrefix("#") {
                let number = i + 1, text = lines[i]
                if text.trimmingCharacters(in: .whitespaces) == Self.expectHeader {
                    guard block.expectLine == nil else { throw FormatError(line: number, message: "a second `# expect:` in one block") }
                    block.expectLine = number
                } else if text.hasPrefix(Self.errorPrefix) {
                    let error = String(text.dropFirst(Self.errorPrefix.count))
                    guard error.range(of: #"^\d+:\d+ \S"#, options: .regularExpression) != nil else {
                        throw FormatError(line: number, message: "an error line reads `# error: LINE:COL message`, not `\(text)`")
                    }
                    block.errors.append((number, error))
                } else if block.expectLine == nil {
                    throw FormatError(line: number, message: "`\(text)` follows `# error:` lines but is not one; leave a blank line before a comment")
                } else if text == "#" {
                    block.output.append("")
                } else if text.hasPrefix("# ") {
                    block.output.append(String(text.dropFirst(2)))
                } else {
                    throw FormatError(line: number, message: "an output line starts with `# ` (or is `#` alone for an empty line), not `\(text)`")
                }
                i += 1
            }
            blocks.append(block)
            firstStatementLine = i + 1
        }
        self.blocks = blocks
        if blocks.isEmpty {
            throw FormatError(line: 1, message: "the script has no `# expect:` or `# error:` block: a script that expects nothing tests nothing")
        }
    }

    /// `# expect:` or `# error: …` at the start of a line begins a block.
    private static func startsBlock(_ line: String) -> Bool {
        line.trimmingCharacters(in: .whitespaces) == expectHeader || line.hasPrefix(errorPrefix)
    }

    /// A line clubsh reads as (part of) a statement: not blank, not a comment.
    private static func isCode(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return !t.isEmpty && !t.hasPrefix("#")
    }

    /// The line after the script, where the runner puts its last marker.
    var endLine: Int { lines.count + 1 }

    /// The text clubsh is given: the script with each block's first line (a comment) replaced by
    /// a marker, and one more marker after the last line. Every other line keeps its number.
    var markedSource: String {
        var out = lines
        for block in blocks { out[block.line - 1] = Self.marker(line: block.line) }
        out.append(Self.marker(line: endLine))
        return out.joined(separator: "\n") + "\n"
    }

    /// Compares what clubsh printed for `markedSource` (stdout and stderr on one pipe, with the
    /// options in `arguments`) with the blocks; every difference is a failure at a script line.
    func compare(output: String, status: Int32, crashed: Bool) -> [Failure] {
        var printed = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if printed.last == "" { printed.removeLast() }
        var failures: [Failure] = []
        // The stretches of output between markers: one per block, then one for the end.
        let ends = blocks.map(\.line) + [endLine]
        var stretches: [[String]] = []
        var current: [String] = []
        var next = 0
        for line in printed {
            // `.echo on` prints the marker statement itself: not part of any output.
            if next < ends.count, line == Self.marker(line: ends[next]) { continue }
            if next < ends.count, Self.isMarker(line, line: ends[next]) {
                stretches.append(current)
                current = []
                next += 1
            } else {
                current.append(line)
            }
        }
        if next < ends.count {
            let stop = next < blocks.count ? blocks[next].statements.lowerBound : endLine
            var message = crashed ? "clubsh crashed (signal \(status))" : "clubsh stopped (exit status \(status))"
            message += " before it reached line \(ends[next]) (or a `.output` to a file took the rest of its output)"
            message += current.isEmpty ? "" : "; what it printed after the last marker:\n" + current.map { "  " + $0 }.joined(separator: "\n")
            failures.append(Failure(line: stop, message: message))
        } else if !current.isEmpty {
            failures.append(Failure(line: endLine, message: "clubsh printed after the end of the script:\n" + current.joined(separator: "\n")))
        }
        for (k, stretch) in stretches.enumerated() {
            let (errors, lines) = Self.separateErrors(stretch)
            if k == blocks.count {
                // After the last block: statements with no block print nothing and do not fail.
                if !stretch.isEmpty {
                    let start = blocks.last.map { $0.line + 1 } ?? 1
                    let statement = (start..<endLine).first { Self.isCode(self.lines[$0 - 1]) } ?? start
                    failures.append(Failure(line: statement, message: "the statements from this line to the end have no `# expect:` block but printed:\n"
                                            + stretch.map { "  " + $0 }.joined(separator: "\n")))
                }
                continue
            }
            let block = blocks[k]
            let about = "the statement\(block.statements.count > 1 ? "s" : "") at line\(block.statements.count > 1 ? "s \(block.statements.lowerBound)–\(block.statements.upperBound)" : " \(block.statements.lowerBound)") (`\(self.lines[block.statements.lowerBound - 1].trimmingCharacters(in: .whitespaces))`)"
            let expectedErrors = block.errors.map(\.text)
            if errors != expectedErrors {
                let what = expectedErrors.isEmpty ? "\(about) failed, but the block has no `# error:` line"
                    : errors.isEmpty ? "\(about) succeeded, but the block expects it to fail"
                    : "\(about) failed differently"
                failures.append(Failure(line: block.errors.first?.line ?? block.line,
                                        message: what + " (- expected, + actual):\n" + Self.diff(expectedErrors, errors, prefix: "# error: ")))
            }
            if lines != block.output {
                let what = block.expectLine == nil ? "\(about) printed output, but the block has no `# expect:`"
                    : "the output of \(about) differs"
                failures.append(Failure(line: block.expectLine ?? block.line, message: what + " (- expected, + actual):\n" + Self.diff(block.output, lines, prefix: "# ")))
            }
        }
        // With `--keep-going`, clubsh exits 1 when any statement failed and 0 when none did.
        let expected: Int32 = blocks.contains { !$0.errors.isEmpty } ? 1 : 0
        if next == ends.count, crashed || status != expected {
            failures.append(Failure(line: blocks.first { !$0.errors.isEmpty }?.line ?? 1,
                                    message: crashed ? "clubsh crashed (signal \(status)) at the end of the script"
                                        : "clubsh exited with status \(status), but a script \(expected == 1 ? "with" : "without") `# error:` lines ends with \(expected)"))
        }
        return failures
    }

    /// The line `.help` prints for the marker (or, should `.help` ever refuse it, the error).
    private static func isMarker(_ printed: String, line: Int) -> Bool {
        let name = markerName(line: line)
        return printed != marker(line: line) && (printed.contains(name + " ") || printed.hasSuffix(name))
    }

    /// Error lines (`<stdin>:LINE:COL: message`, as `LINE:COL message`) apart from the rest.
    private static func separateErrors(_ stretch: [String]) -> (errors: [String], lines: [String]) {
        var errors: [String] = [], lines: [String] = []
        for line in stretch {
            if line.range(of: #"^<stdin>:\d+:\d+: "#, options: .regularExpression) != nil {
                let rest = line.dropFirst("<stdin>:".count)
                let colon = rest.range(of: ": ")!
                errors.append(String(rest[..<colon.lowerBound]) + " " + String(rest[colon.upperBound...]))
            } else {
                lines.append(line)
            }
        }
        return (errors, lines)
    }

    /// Both sides line by line, as they would be written in the script: ` ` in both, `-` only
    /// expected, `+` only printed (a longest common subsequence; golden outputs are short). Long
    /// runs of equal lines are cut to their ends; a line that ends in blanks says so.
    static func diff(_ expected: [String], _ actual: [String], prefix: String) -> String {
        let n = expected.count, m = actual.count
        var common = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                common[i][j] = expected[i] == actual[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        func shown(_ s: String) -> String {
            if s.isEmpty { return prefix.trimmingTrailingBlanks }
            let blanks = s.count - s.trimmingTrailingBlanks.count
            return prefix + s + (blanks == 0 ? "" : "   ← ends in \(blanks) blank\(blanks == 1 ? "" : "s")")
        }
        var marked: [(mark: Character, line: String)] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, expected[i] == actual[j] {
                marked.append((" ", expected[i])); i += 1; j += 1
            } else if i < n, j == m || common[i + 1][j] >= common[i][j + 1] {
                marked.append(("-", expected[i])); i += 1
            } else {
                marked.append(("+", actual[j])); j += 1
            }
        }
        if marked.isEmpty { return "   (nothing)" }
        var out: [String] = []
        var k = 0
        while k < marked.count {
            var end = k
            while end < marked.count, marked[end].mark == " " { end += 1 }
            if end - k > 8 {
                out += marked[k..<(k + 3)].map { "   " + shown($0.line) }
                out.append("   … \(end - k - 6) equal lines")
                out += marked[(end - 3)..<end].map { "   " + shown($0.line) }
                k = end
            } else if end > k {
                out += marked[k..<end].map { "   " + shown($0.line) }
                k = end
            } else {
                out.append(" \(marked[k].mark) " + shown(marked[k].line))
                k += 1
            }
        }
        return out.joined(separator: "\n")
    }
}

private extension String {
    var trimmingTrailingBlanks: String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
