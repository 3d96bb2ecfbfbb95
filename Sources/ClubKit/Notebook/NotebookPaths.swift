import Foundation

/// A notebook's relative paths are its own folder's (`clubsh run` reads them so, wherever it
/// starts). A session's are its working directory's. So `.save` into another folder rewrites
/// each relative file path a statement names — `load "…"`, `export … to "…"`, `chart … to "…"`,
/// `.read …` — to reach the same file from the notebook's folder, and the message the statement
/// printed (`loaded orders: … from PATH`, `exported … to PATH`, `wrote … to PATH`) to match,
/// so the saved notebook runs and checks as it was.
///
///     NotebookPaths.rebase(statement: "load \"data/orders.csv\"", output: "loaded orders: … from data/orders.csv\n",
///                          from: "/work", to: "/work/notes")
///     // ("load \"../data/orders.csv\"", "loaded orders: … from ../data/orders.csv\n")
public enum NotebookPaths {
    public static func rebase(statement: String, output: String, from: String, to: String) -> (statement: String, output: String) {
        let source = FilePath.physical(from), target = FilePath.physical(to)
        guard source != target else { return (statement, output) }
        var edits: [(range: Range<Int>, text: String)] = []
        var moved: [(old: String, new: String)] = []
        let tokens = Lexer.tokenize(statement)
        let offsets = lineOffsets(statement)
        for (k, token) in tokens.enumerated() {
            switch token.kind {
            case .string(let path) where k > 0 && (tokens[k - 1].word == "to" || (k == 1 && tokens[0].word == "load")):
                guard let new = rebased(path, from: source, to: target), token.location.line <= offsets.count else { continue }
                let start = offsets[token.location.line - 1] + token.location.column - 1
                edits.append((start..<start + token.location.length, literal(new)))
                moved.append((path, new))
            case .dotCommand("read", let argument):
                let path = unquoted(argument)
                guard let new = rebased(path, from: source, to: target) else { continue }
                let start = offsets[token.location.line - 1] + token.location.column - 1
                // `.read` takes its argument as written, quotes stripped, without escapes.
                edits.append((start..<start + token.location.length, ".read " + (new.contains(" ") ? "\"\(new)\"" : new)))
            default:
                continue
            }
        }
        guard !edits.isEmpty else { return (statement, output) }
        var scalars = Array(statement.unicodeScalars)
        for edit in edits.reversed() where edit.range.upperBound <= scalars.count {
            scalars.replaceSubrange(edit.range, with: edit.text.unicodeScalars)
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        return (String(text), rewriteMessages(output, moved))
    }

    /// The path from the notebook's folder to the file `path` names from the session's; nil
    /// when it needs no change (absolute, from the home folder).
    static func rebased(_ path: String, from source: String, to target: String) -> String? {
        guard FilePath.isRelative(path) else { return nil }
        let whole = FilePath.lexical(source + "/" + path)
        // The file's folder as the system sees it, the file's own name as written: a link keeps its name.
        let name = FilePath.lastComponent(whole)
        let folder = FilePath.physical(FilePath.folder(of: whole))
        let new = FilePath.relative(FilePath.lexical(folder + "/" + name), from: target)
        return new == path ? nil : new
    }

    /// The lines a statement printed that end with the old path after `from` or `to`, ending
    /// with the new one.
    private static func rewriteMessages(_ output: String, _ moved: [(old: String, new: String)]) -> String {
        guard !moved.isEmpty else { return output }
        var lines = output.components(separatedBy: "\n")
        for (i, line) in lines.enumerated() {
            for (old, new) in moved {
                for word in [" from ", " to "] where line.hasSuffix(word + old) {
                    lines[i] = String(line.dropLast(old.count)) + new
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A string literal that reads back as `s`.
    private static func literal(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    private static func unquoted(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f { return String(s.dropFirst().dropLast()) }
        return s
    }

    /// The scalar offset at which each line of `s` starts.
    private static func lineOffsets(_ s: String) -> [Int] {
        var offsets = [0]
        for (i, u) in s.unicodeScalars.enumerated() where u == "\n" { offsets.append(i + 1) }
        return offsets
    }
}
