import ClubKit
import Foundation

/// The shell around a session: decides where output goes, how errors look, and carries out
/// dot commands. The same `run(source:origin:)` serves the prompt, pipes, `-c` and scripts.
final class Shell {
    let session: Session
    var mode: OutputMode
    var keepGoing: Bool
    let interactive: Bool
    var color: Bool
    var timer = false
    /// `.echo on`: print each statement before its output.
    var echo = false
    /// Set by `.quit`.
    var quitRequested = false
    /// Nested `.read`s, to refuse a file that reads itself.
    private var reading: [String] = []

    init(session: Session, mode: OutputMode, keepGoing: Bool, interactive: Bool, color: Bool) {
        self.session = session
        self.mode = mode
        self.keepGoing = keepGoing
        self.interactive = interactive
        self.color = color
    }

    private var renderer: TableRenderer {
        TableRenderer(mode: mode, maxRows: 20, style: color && mode == .table && Terminal.outputFile == nil ? .ansi : .plain)
    }

    /// Runs statements; returns false when any failed. Outside the prompt the first error stops
    /// the run unless `keepGoing`.
    @discardableResult
    func run(source: String, origin: String) -> Bool {
        var ok = true
        session.run(source) { outcome in
            let started = Date()
            switch outcome {
            case .success(let (statement, outputs)):
                if echo { Terminal.writeResult(statement.text + "\n") }
                for output in outputs {
                    do throws(Diagnostic) {
                        try show(output, statement: statement)
                    } catch {
                        report(error, origin: origin, source: source)
                        ok = false
                        if !(interactive || keepGoing) { return false }
                    }
                }
                if timer { message(String(format: "time: %.3f s", Date().timeIntervalSince(started))) }
            case .failure(let diagnostic):
                report(diagnostic, origin: origin, source: source)
                ok = false
                if !(interactive || keepGoing) { return false }
            }
            return !quitRequested
        }
        return ok
    }

    private func show(_ output: Output, statement: Statement) throws(Diagnostic) {
        switch output {
        case .table(let t): Terminal.writeResult(renderer.render(t))
        case .value(let v): Terminal.writeResult(renderer.render(v))
        case .message(let m): message(m)
        case .caption(let c):
            // Captions say what a table is over; they belong beside the table only in table mode.
            if mode == .table { Terminal.writeResult((color && Terminal.outputFile == nil ? "\u{1B}[2m" : "") + c + (color && Terminal.outputFile == nil ? "\u{1B}[0m" : "") + "\n") } else { message(c) }
        case .warning(let w): warning(w, at: statement.location)
        case .dotCommand(let name, let arguments): try DotCommands.run(name, arguments, shell: self, at: statement.location)
        }
    }

    func message(_ m: String) {
        if interactive {
            Terminal.write((color ? "\u{1B}[2m" : "") + m + (color ? "\u{1B}[0m" : "") + "\n")
        } else {
            Terminal.writeError(m + "\n")
        }
    }

    private func warning(_ w: String, at location: SourceLocation) {
        Terminal.writeError((color ? "\u{1B}[33m" : "") + "warning: " + w + (color ? "\u{1B}[0m" : "") + "\n")
    }

    /// At the prompt: the line, a caret under the column, and the message. Elsewhere:
    /// `origin:line:column: message`.
    func report(_ d: Diagnostic, origin: String, source: String) {
        if interactive && d == .interrupted {
            Terminal.writeError("\n" + (color ? "\u{1B}[33m" : "") + d.message + (color ? "\u{1B}[0m" : "") + "\n")
            return
        }
        if interactive {
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            var out = ""
            if d.location.line >= 1 && d.location.line <= lines.count {
                let line = String(lines[d.location.line - 1])
                let prefix = String(line.unicodeScalars.prefix(d.location.column - 1).map(Character.init))
                let indent = String(repeating: " ", count: DisplayWidth.of(prefix))
                out += "  " + line + "\n"
                out += "  " + indent + (color ? "\u{1B}[31m" : "") + String(repeating: "^", count: d.location.length) + (color ? "\u{1B}[0m" : "") + "\n"
            }
            out += (color ? "\u{1B}[31m" : "") + "error: " + (color ? "\u{1B}[0m" : "") + d.text + "\n"
            Terminal.writeError(out)
        } else {
            Terminal.writeError(d.rendered(origin: origin) + "\n")
        }
    }

    /// Runs a script file; false when it could not be read or a statement failed.
    func runFile(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            Terminal.writeError("clubsh: cannot read \(path)\(FileManager.default.fileExists(atPath: path) ? "" : ": no such file")\n")
            return false
        }
        return run(source: text, origin: path)
    }

    /// `.read FILE`.
    func read(_ path: String, at location: SourceLocation) throws(Diagnostic) {
        guard !reading.contains(path) else { throw Diagnostic(".read \(path) would read itself again", at: location) }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Diagnostic("cannot read \(path)", at: location, hint: FileManager.default.fileExists(atPath: path) ? nil : "no such file")
        }
        reading.append(path)
        defer { reading.removeLast() }
        if !run(source: text, origin: path) && !interactive && !keepGoing {
            throw Diagnostic("\(path) stopped at an error", at: location)
        }
    }
}
