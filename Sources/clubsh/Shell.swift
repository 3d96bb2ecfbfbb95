import ClubKit
import Foundation

/// The shell around a session: decides where output goes, how errors look, and carries out
/// dot commands. The same `run(source:origin:)` serves the prompt, pipes, `-c`, scripts and
/// notebooks.
final class Shell {
    let session: Session
    var mode: OutputMode
    var keepGoing: Bool
    let interactive: Bool
    var color: Bool
    var timer = false
    /// The origin of statements typed at the prompt (errors name it; typed lines are not echoed).
    static let promptOrigin = "<prompt>"
    /// `.echo on`: print each statement before its output.
    var echo = false
    /// `.maxrows N`: the rows table mode shows (`Int.max`: every row); nil: 20 on a terminal and
    /// in a notebook, every row in a pipe or file.
    var maxRows: Int?
    /// `.maxwidth N`: the width table mode fits (0: the terminal's, and no limit elsewhere).
    var maxWidth = 0
    /// `.columns on`: a table too wide for the width shows every column as a list per row
    /// instead of leaving middle columns out.
    var wideAsList = false
    /// `.nullvalue TEXT`: how a null shows (nil: `null` in table mode, an empty CSV field).
    var nullValue: String?
    /// `.headers off`: CSV and TSV without the line of column names.
    var headers = true
    /// `.digits persian`: numbers and dates in tables with Persian digits.
    var digits = TableRenderer.Digits.latin
    /// `.once FILE`: the next statement's results go to the file, then back to where they went.
    var once: Once = .none
    enum Once { case none, armed, active }
    /// Set by `.quit` and `.exit`.
    var quitRequested = false
    /// When set, everything the shell would show goes here instead (a notebook cell's output).
    var sink: ((String) -> Void)?
    /// When set (`clubsh run --html`), tables, charts, captions, values, messages, warnings and
    /// errors go here as pieces of a web page; text that is none of these still goes to `sink`.
    var pieces: ((NotebookPage.Piece) -> Void)?
    /// Each statement with its output as plain text, for `.save`.
    private(set) var transcript: [(statement: String, output: String)] = []
    /// The mode the session started in (CSV on a pipe): a saved notebook starts with it.
    private let startMode: OutputMode
    /// Nested `.read`s, to refuse a file that reads itself.
    private var reading: [String] = []

    init(session: Session, mode: OutputMode, keepGoing: Bool, interactive: Bool, color: Bool) {
        self.session = session
        self.mode = mode
        startMode = mode
        self.keepGoing = keepGoing
        self.interactive = interactive
        self.color = color
        session.beforeWritingStandardStream = { Terminal.flush() }
    }

    /// Table mode where results go now: on a terminal 20 rows in its width, in a notebook 20
    /// rows, in a pipe or file every row at full width, unless `.maxrows` or `.maxwidth` say otherwise.
    private var renderer: TableRenderer {
        let toTerminal = sink == nil && Terminal.outputFile == nil && Terminal.stdoutIsTerminal
        return TableRenderer(mode: mode, maxRows: maxRows ?? (toTerminal || sink != nil ? 20 : Int.max),
                             maxWidth: maxWidth > 0 ? maxWidth : toTerminal ? Terminal.width : nil,
                             wide: wideAsList ? .list : .elide,
                             style: color && mode == .table && Terminal.outputFile == nil && sink == nil ? .ansi : .plain,
                             nullText: nullValue, headers: headers, digits: digits, calendar: session.calendar,
                             isolateRightToLeft: toTerminal && mode == .table)
    }

    /// Results as a notebook holds them (for `.save`): what `clubsh run` prints for the same
    /// statements, in the mode `.mode` set at the time.
    private var notebookRenderer: TableRenderer {
        TableRenderer(mode: mode, maxRows: maxRows ?? 20, maxWidth: maxWidth > 0 ? maxWidth : nil, wide: wideAsList ? .list : .elide,
                      nullText: nullValue, headers: headers, digits: digits, calendar: session.calendar)
    }

    /// Runs statements; returns false when any failed. Outside the prompt the first error stops
    /// the run unless `keepGoing`.
    /// For `.timer`: the bytes each attached engine moved since `before`, as
    /// " · pg: 1.2 KB received, 310 B sent" (nothing when no engine was asked).
    func movedSince(_ before: [(name: String, traffic: EngineTraffic)]) -> String {
        session.engineTraffic.compactMap { name, now in
            let was = before.first { $0.name == name }?.traffic ?? EngineTraffic()
            guard now != was else { return nil }
            return " · \(name): \(EngineTraffic.bytes(now.received - was.received)) received, \(EngineTraffic.bytes(now.sent - was.sent)) sent"
        }.joined()
    }

    @discardableResult
    func run(source: String, origin: String, lineOffset: Int = 0) -> Bool {
        var ok = true
        // Each statement's time runs from the end of the previous one's output: parsing,
        // checking, running and showing it.
        var started = Date()
        var traffic = session.engineTraffic
        session.run(source) { outcome in
            defer {
                started = Date()
                traffic = session.engineTraffic
                // A failed statement showed nothing: `.once` waits for one that succeeds.
                if case .success = outcome { finishOnce() }
            }
            switch outcome {
            case .success(let (statement, outputs)):
                var plain = ""
                // In a notebook the statement is the block above its output, and a line typed
                // at the prompt is on the screen already: no echo there.
                if echo && sink == nil && origin != Shell.promptOrigin { result(statement.text + "\n") }
                for output in outputs {
                    do throws(Diagnostic) {
                        plain += try show(output, statement: statement)
                    } catch {
                        report(error, origin: origin, source: source, lineOffset: lineOffset)
                        plain += "error: \(error.text)\n"
                        ok = false
                        if !(interactive || keepGoing) { return false }
                    }
                }
                if !Shell.leftOutOfTranscript(statement) { transcript.append((statement.text, plain)) }
                // Timings differ on every run: they are never part of a notebook's outputs, so a
                // notebook saved with `.timer on` still checks.
                if timer && sink == nil { message(String(format: "time: %.3f s", Date().timeIntervalSince(started)) + movedSince(traffic)) }
            case .failure(let diagnostic):
                report(diagnostic, origin: origin, source: source, lineOffset: lineOffset)
                ok = false
                if !(interactive || keepGoing) { return false }
            }
            return !quitRequested
        }
        return ok
    }

    /// After each statement: the one `.once` named has run, so its file is put in place and
    /// results go back where they went; the `.once` itself only arms it.
    private func finishOnce() {
        switch once {
        case .none: return
        case .armed: once = .active
        case .active:
            once = .none
            guard let file = Terminal.outputFile else { return }
            Terminal.outputFile = nil
            do throws(OutputFileError) { try file.commit() } catch { warning("the results for `.once \(file.path)` were not kept: \(error.message)") }
        }
    }

    /// What does not belong in a saved notebook: `.save` and `.help`; `.tables` (the `tables`
    /// it runs is kept); `.show` and a dot command asked for its setting (`.mode` alone), which
    /// describe this session rather than compute anything.
    private static func leftOutOfTranscript(_ statement: Statement) -> Bool {
        guard let name = statement.dotCommandName, let arguments = statement.dotCommandArguments else { return false }
        return ["save", "help", "tables", "show", "once"].contains(name) || arguments.trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// Shows one output and returns it as plain text for the transcript.
    private func show(_ output: Output, statement: Statement) throws(Diagnostic) -> String {
        let plainRenderer = notebookRenderer
        switch output {
        case .table(let t) where pieces != nil && mode == .table:
            pieces?(.table(html: renderer.html(t)))
            return plainRenderer.render(t)
        case .value(let v) where pieces != nil && (mode == .table || mode == .line):
            pieces?(.value(String(renderer.render(v).dropLast())))
            return plainRenderer.render(v)
        case .chart(let chart) where pieces != nil:
            pieces?(.chart(chart))
            return chart.text(width: 80, unicode: false)
        case .caption(let c) where pieces != nil:
            pieces?(.caption(c))
            return c + "\n"
        case .table(let t):
            result(renderer.render(t))
            renderer.warnings(for: t).forEach(warning)
            return plainRenderer.render(t)
        case .value(let v):
            result(renderer.render(v))
            renderer.warnings(for: Table(columnNames: ["value"], columns: [Column.repeating(v, count: 1, type: v.type == .null ? .string : v.type)])).forEach(warning)
            return plainRenderer.render(v)
        case .chart(let chart):
            // On a terminal: its width and Unicode blocks; elsewhere 80 columns of plain characters.
            let onTerminal = sink == nil && Terminal.outputFile == nil && Terminal.stdoutIsTerminal
            result(chart.text(width: onTerminal ? Terminal.width : 80, unicode: onTerminal))
            return chart.text(width: 80, unicode: false)
        case .message(let m):
            message(m)
            return m + "\n"
        case .text(let t):
            result(t + "\n")
            return t + "\n"
        case .caption(let c):
            // Captions say what a table is over; they belong beside the table only in table mode.
            if mode == .table || sink != nil { result(dim(c) + "\n") } else { message(c) }
            return c + "\n"
        case .warning(let w):
            warning(w)
            return "warning: \(w)\n"
        case .dotCommand(let name, let arguments):
            try DotCommands.run(name, arguments, shell: self, at: statement.location)
            return ""
        }
    }

    private var colorful: Bool { color && sink == nil && Terminal.outputFile == nil }

    private func dim(_ s: String) -> String { colorful ? "\u{1B}[2m" + s + "\u{1B}[0m" : s }

    /// Results: to the notebook cell, the `.output` file, or stdout.
    func result(_ s: String) {
        if let sink { sink(s) } else { Terminal.writeResult(s) }
    }

    /// A long result for reading (help): through the pager on a terminal, else as `result`.
    func page(_ s: String) {
        if sink == nil && Pager.show(s) { return }
        result(s)
    }

    func message(_ m: String) {
        if let pieces {
            pieces(.message(m))
        } else if let sink {
            sink(m + "\n")
        } else if interactive {
            Terminal.write(dim(m) + "\n")
        } else {
            Terminal.writeError(m + "\n")
        }
    }

    private func warning(_ w: String) {
        if let pieces { pieces(.warning(w)); return }
        if let sink { sink("warning: \(w)\n"); return }
        Terminal.writeError((colorful ? "\u{1B}[33m" : "") + "warning: " + w + (colorful ? "\u{1B}[0m" : "") + "\n")
    }

    /// At the prompt: the line, a caret under the column, and the message. Elsewhere:
    /// `origin:line:column: message`. In a notebook cell: `error: message` in the output too.
    func report(_ d: Diagnostic, origin: String, source: String, lineOffset: Int = 0) {
        if let pieces {
            pieces(.error(d.text, line: d.location.line + lineOffset, column: d.location.column))
        } else if let sink { sink("error: \(d.text)\n") }
        if interactive && d.kind == .interrupted {
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
            Terminal.writeError(d.rendered(origin: origin, lineOffset: lineOffset) + "\n")
        }
    }

    /// Runs a script file; false when it could not be read or a statement failed.
    func runFile(_ path: String) -> Bool {
        let text: String
        do throws(TextFile.Failure) {
            text = try TextFile.read(path)
        } catch {
            Terminal.writeError("clubsh: cannot read \(path): \(error.reason)\n")
            return false
        }
        return run(source: text, origin: path)
    }

    /// `.read FILE`.
    func read(_ path: String, at location: SourceLocation) throws(Diagnostic) {
        guard !reading.contains(path) else { throw Diagnostic(".read \(path) would read itself again", at: location) }
        let text: String
        do throws(TextFile.Failure) {
            text = try TextFile.read(FilePath.resolve(path, in: session.directory))
        } catch {
            throw Diagnostic("cannot read \(path): \(error.reason)", at: location)
        }
        reading.append(path)
        defer { reading.removeLast() }
        if !run(source: text, origin: path) && !interactive && !keepGoing {
            throw Diagnostic("\(path) stopped at an error", at: location)
        }
    }

    /// `.save FILE.md [overwrite]`: the session so far as a Markdown notebook.
    func save(to path: String, overwrite: Bool, at location: SourceLocation) throws(Diagnostic) {
        let file = FilePath.resolve(path, in: session.directory)
        // The notebook reads its relative paths from its own folder: rewrite the session's to match.
        let from = session.directory ?? FileManager.default.currentDirectoryPath
        let to = FilePath.folder(of: file)
        // `clubsh run` starts in table mode: a session that started in another (a pipe's CSV)
        // says so first, so each output is checked in the mode it was shown in.
        let cells = (startMode == .table ? [] : [(statement: ".mode \(startMode.rawValue)", output: "")]) + transcript
        let text = Notebook.transcript(cells.map { NotebookPaths.rebase(statement: $0.statement, output: $0.output, from: from, to: to.isEmpty ? "." : to) })
        do {
            try OutputFile.write(text, to: file, existing: overwrite ? .overwrite : .refuse,
                                 isCancelled: { self.session.isCancelled() }, beforeStandardStream: Terminal.flush)
        } catch {
            throw Diagnostic(writing: error, at: location, hint: "`.save \(path) overwrite` replaces it")
        }
        message("saved \(transcript.count) statement\(transcript.count == 1 ? "" : "s") to \(path)")
    }
}
