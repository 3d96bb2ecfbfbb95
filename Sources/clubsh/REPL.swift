import ClubKit
import Foundation

/// The interactive prompt: reads whole statements (continuing lines that end in `|` or `,`
/// or leave a bracket open), runs them, and keeps the history.
struct REPL {
    let shell: Shell
    let editor: LineEditor

    func run() {
        Terminal.write("clubsh \(Version.text) — type .help for help, .quit or Ctrl-D to leave\n")
        Terminal.catchInterrupts()
        shell.session.isCancelled = { Terminal.interrupted != 0 }
        let session = shell.session
        let completer = Completer(session)
        editor.complete { completer.completions(for: $0) }
        while !shell.quitRequested {
            Terminal.interrupted = 0
            guard let text = readStatement() else {
                // Ctrl-C at the prompt ends the line, not clubsh.
                if Terminal.interrupted != 0 {
                    Terminal.write("^C (.quit or Ctrl-D leaves clubsh)\n")
                    continue
                }
                break
            }
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            editor.remember(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
            shell.run(source: text, origin: Shell.promptOrigin)
        }
        Terminal.write("\n")
    }

    /// Lines until the statement is complete; nil at end of input.
    private func readStatement() -> String? {
        var lines: [String] = []
        while true {
            // The prompt shows the number the next result will get, as `_N` reads it back.
            let prompt = "[\(shell.session.numbered.count + 1)]> "
            guard let line = editor.readLine(prompt: lines.isEmpty ? prompt : String(repeating: " ", count: prompt.count - 5) + "...> ") else {
                return lines.isEmpty || Terminal.interrupted != 0 ? nil : lines.joined(separator: "\n")
            }
            lines.append(line)
            if !REPL.isIncomplete(lines.joined(separator: "\n")) { return lines.joined(separator: "\n") }
        }
    }

    /// Whether more lines are needed: an open bracket, or a last line ending in `|` or `,`.
    static func isIncomplete(_ text: String) -> Bool {
        var depth = 0
        var quote: Character?
        var last: Character?
        var inComment = false
        for ch in text {
            if inComment { if ch == "\n" { inComment = false }; continue }
            if let q = quote {
                if ch == q { quote = nil } else if ch == "\n" { quote = nil }
                last = ch
                continue
            }
            switch ch {
            case "\"", "'", "`": quote = ch
            case "#": inComment = true; continue
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            default: break
            }
            if !ch.isWhitespace { last = ch }
        }
        return depth > 0 || last == "|" || last == ","
    }
}
