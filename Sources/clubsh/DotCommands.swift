import ClubKit
import Foundation

/// One dot command: its name, usage, one-line help, and what it does. This one table drives
/// dispatch, `.help` and "did you mean".
struct DotCommand: Sendable {
    var name: String
    var usage: String
    var help: String
    /// A line to type, shown by `.help .NAME`.
    var example: String
    var run: @Sendable (Shell, String, SourceLocation) throws(Diagnostic) -> Void
}

enum DotCommands {
    static let all: [DotCommand] = [
        DotCommand(name: "help", usage: ".help [TOPIC]", help: "list the commands, or explain one", example: ".help retention") { (shell: Shell, args: String, _: SourceLocation) throws(Diagnostic) in
            // About 100 lines: paged on a terminal (`$PAGER`, else `less -FRX`).
            shell.page(Help.text(topic: args.isEmpty ? nil : args))
        },
        DotCommand(name: "mode", usage: ".mode [MODE]", help: "show or set the output mode (table, csv, tsv, json, jsonl, markdown, line)", example: ".mode json") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else {
                shell.result("mode: \(shell.mode.rawValue) (modes: \(OutputMode.allCases.map(\.rawValue).joined(separator: ", ")))\n")
                return
            }
            guard let m = OutputMode(rawValue: args) else {
                throw Diagnostic("unknown mode `\(args)`", at: at, hint: Suggest.hint(for: args, among: OutputMode.allCases.map(\.rawValue))
                                 ?? "the modes are \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            shell.mode = m
        },
        DotCommand(name: "tables", usage: ".tables", help: "list tables and named results (the same as `tables`)", example: ".tables") { (shell: Shell, _: String, at: SourceLocation) throws(Diagnostic) in
            shell.run(source: "tables", origin: "<.tables>")
        },
        DotCommand(name: "read", usage: ".read FILE", help: "run the statements in FILE", example: ".read Samples/tour.club") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else { throw Diagnostic(".read needs a file name", at: at) }
            try shell.read(unquote(args), at: at)
        },
        DotCommand(name: "timer", usage: ".timer on|off", help: "print how long each statement takes, and the bytes it moved to and from each attached engine", example: ".timer on") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard args == "on" || args == "off" else { throw Diagnostic(".timer takes on or off", at: at) }
            shell.timer = args == "on"
        },
        DotCommand(name: "color", usage: ".color on|off", help: "colours in table mode (off when not a terminal; never when NO_COLOR is set)", example: ".color off") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard args == "on" || args == "off" else { throw Diagnostic(".color takes on or off", at: at) }
            if args == "on" && Terminal.noColor {
                shell.color = false
                shell.message("NO_COLOR is set, so colours stay off")
                return
            }
            shell.color = args == "on"
        },
        DotCommand(name: "echo", usage: ".echo on|off", help: "print each statement before its output", example: ".echo on") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard args == "on" || args == "off" else { throw Diagnostic(".echo takes on or off", at: at) }
            shell.echo = args == "on"
        },
        DotCommand(name: "maxrows", usage: ".maxrows [N]", help: "show at most N rows of a table in table mode, the first and last halves (0: every row; by default 20 on a terminal, every row in a pipe or file)", example: ".maxrows 50") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else {
                let current = shell.maxRows.map { $0 == Int.max ? "0 (every row)" : "\($0)" } ?? "20 on a terminal and in notebooks, every row in a pipe or file"
                shell.result("maxrows: \(current)\n")
                return
            }
            let n = try count(args, command: ".maxrows", what: "rows", at: at)
            shell.maxRows = n == 0 ? Int.max : n
        },
        DotCommand(name: "maxwidth", usage: ".maxwidth [N]", help: "fit tables in N columns of text, leaving out middle columns (0: the terminal's width, and no limit in a pipe or file)", example: ".maxwidth 100") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else {
                shell.result("maxwidth: \(shell.maxWidth == 0 ? "0 (the terminal's width; no limit in a pipe or file)" : "\(shell.maxWidth)")\n")
                return
            }
            shell.maxWidth = try count(args, command: ".maxwidth", what: "columns of text", at: at)
        },
        DotCommand(name: "columns", usage: ".columns [on|off]", help: "show every column of a table too wide for the width, each row as a list of column and value (off: leave middle columns out)", example: ".columns on") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard args.isEmpty || args == "on" || args == "off" else { throw Diagnostic(".columns takes on or off", at: at) }
            shell.wideAsList = args != "off"
        },
        DotCommand(name: "output", usage: ".output [FILE [append|overwrite]]", help: "send results to FILE (an existing file needs append or overwrite); .output alone sends them back to the screen", example: ".output results.csv overwrite") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            // Open the new target before letting go of the old one: a failed `.output` changes nothing.
            var file: OutputFile?
            if !args.isEmpty {
                // In a notebook every result belongs to its output block.
                guard shell.sink == nil else { throw Diagnostic("`.output` does not apply in a notebook: results go to the output blocks", at: at) }
                let (given, option) = try fileArgument(args, options: ["append", "overwrite"], command: ".output", at: at)
                let path = FilePath.resolve(given, in: shell.session.directory)
                if let current = Terminal.outputFile, current.path == path {
                    throw Diagnostic("results already go to \(given)", at: at, hint: "`.output` alone puts the file in place")
                }
                let existing: OutputFile.Existing = option == "append" ? .append : option == "overwrite" ? .overwrite : .refuse
                do throws(OutputFileError) {
                    file = try OutputFile.open(path, existing: existing, isCancelled: { shell.session.isCancelled() }, beforeStandardStream: Terminal.flush)
                } catch {
                    throw Diagnostic(writing: error, at: at, hint: "`.output \(args) append` adds to it, `.output \(args) overwrite` replaces it")
                }
            }
            try Terminal.finishOutput(at: at)
            Terminal.outputFile = file
        },
        DotCommand(name: "once", usage: ".once FILE [append|overwrite]", help: "send the next statement's results to FILE, then back (an existing file needs append or overwrite)", example: ".once top.csv") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else { throw Diagnostic(".once needs a file name, like .once top.csv", at: at) }
            guard shell.sink == nil else { throw Diagnostic("`.once` does not apply in a notebook: results go to the output blocks", at: at) }
            guard Terminal.outputFile == nil else {
                throw Diagnostic(shell.once == .none ? "results already go to a file" : "the next statement's results already go to \(Terminal.outputFile!.path)", at: at,
                                 hint: shell.once == .none ? "`.output` alone puts it in place first" : "run a statement first; `.once` sends one statement's results")
            }
            let (given, option) = try fileArgument(args, options: ["append", "overwrite"], command: ".once", at: at)
            let existing: OutputFile.Existing = option == "append" ? .append : option == "overwrite" ? .overwrite : .refuse
            do throws(OutputFileError) {
                Terminal.outputFile = try OutputFile.open(FilePath.resolve(given, in: shell.session.directory), existing: existing,
                                                          isCancelled: { shell.session.isCancelled() }, beforeStandardStream: Terminal.flush)
            } catch {
                throw Diagnostic(writing: error, at: at, hint: "`.once \(given) append` adds to it, `.once \(given) overwrite` replaces it")
            }
            shell.once = .armed
        },
        DotCommand(name: "nullvalue", usage: ".nullvalue [TEXT]", help: "show a null as TEXT in every mode but JSON (alone: back to null in tables, an empty CSV field)", example: ".nullvalue NULL") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            shell.nullValue = args.isEmpty ? nil : unquote(args)
        },
        DotCommand(name: "headers", usage: ".headers on|off", help: "start CSV and TSV results with the column names, or not", example: ".headers off") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard args == "on" || args == "off" else { throw Diagnostic(".headers takes on or off", at: at) }
            shell.headers = args == "on"
        },
        DotCommand(name: "save", usage: ".save FILE.md [overwrite]", help: "write the session so far as a Markdown notebook (clubsh run / check read it back)", example: ".save lesson.md") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else { throw Diagnostic(".save needs a file name, like .save lesson.md", at: at) }
            let (path, option) = try fileArgument(args, options: ["overwrite"], command: ".save", at: at)
            try shell.save(to: path, overwrite: option == "overwrite", at: at)
        },
        DotCommand(name: "limit", usage: ".limit [memory SIZE]", help: "show or set how much memory one statement may ask for (80% of the machine's at start), like .limit memory 4GB", example: ".limit memory 4GB") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            let words = args.split(separator: " ", maxSplits: 1).map(String.init)
            guard !words.isEmpty else {
                shell.result("memory limit: \(MemoryLimit.text(shell.session.memoryLimit.bytes)) per statement\n")
                return
            }
            guard words[0] == "memory", words.count == 2, let bytes = MemoryLimit.parse(words[1]) else {
                throw Diagnostic(".limit takes memory and a size, like .limit memory 4GB", at: at)
            }
            shell.session.memoryLimit = MemoryLimit(bytes: bytes)
            shell.message("memory limit: \(MemoryLimit.text(bytes)) per statement")
        },
        DotCommand(name: "digits", usage: ".digits [latin|persian]", help: "the digits numbers and dates show in, in table, markdown and line modes (persian: ۰–۹ with ٫ and ٬); CSV, TSV and JSON keep Latin digits", example: ".digits persian") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else {
                shell.result("digits: \(shell.digits.rawValue) (latin, persian)\n")
                return
            }
            guard let digits = TableRenderer.Digits(rawValue: args) else {
                throw Diagnostic("unknown digits `\(args)`", at: at, hint: "`.digits latin` or `.digits persian`")
            }
            shell.digits = digits
        },
        DotCommand(name: "calendar", usage: ".calendar [gregorian|jalali]", help: "the calendar months are counted in (retention by month, cohort monthly, kpi by month, year, quarter, month, month_name, + 6mo), date literals are read in and dates shown in, in table, markdown and line modes; CSV, TSV and JSON keep ISO Gregorian dates", example: ".calendar jalali") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else {
                shell.result("calendar: \(shell.session.calendar.rawValue) (gregorian, jalali)\n")
                return
            }
            guard let calendar = CalendarKind(rawValue: args) else {
                // The Persian names of the calendar are not taken as it, as `--calendar` does not
                // take them: one spelling everywhere.
                throw Diagnostic("unknown calendar `\(args)`", at: at,
                                 hint: ["persian", "shamsi", "solar"].contains(args.lowercased()) ? "the Persian (Solar Hijri) calendar is `.calendar jalali`" : "`.calendar gregorian` or `.calendar jalali`")
            }
            shell.session.calendar = calendar
        },
        DotCommand(name: "lang", usage: ".lang [en|fa]", help: "the language of text written for people, such as the playbooks of types (fa: Persian); .lang alone shows it", example: ".lang fa") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else {
                shell.result("lang: \(shell.session.language.rawValue) (languages: \(Language.allCases.map(\.rawValue).joined(separator: ", ")))\n")
                return
            }
            guard let language = Language(rawValue: args) else {
                throw Diagnostic("unknown language `\(args)`", at: at, hint: "the languages are \(Language.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            shell.session.language = language
        },
        DotCommand(name: "cd", usage: ".cd [DIR]", help: "read and write relative paths from DIR (clubsh's own working folder; the shell's is unchanged); .cd alone shows it", example: ".cd Samples/data") { (shell: Shell, args: String, at: SourceLocation) throws(Diagnostic) in
            guard !args.isEmpty else {
                shell.result("folder: \(shell.session.directory ?? FileManager.default.currentDirectoryPath)\n")
                return
            }
            let (given, _) = try fileArgument(args, options: [], command: ".cd", at: at)
            let path = FilePath.resolve(given, in: shell.session.directory)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Diagnostic("no folder \(given)", at: at, hint: "`.cd` alone shows the folder relative paths are read from now")
            }
            shell.session.directory = URL(fileURLWithPath: path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path).standardized.path
        },
        DotCommand(name: "show", usage: ".show", help: "show the current settings: mode, echo, timer, colours, row and width limits, output, folder, memory limit", example: ".show") { (shell: Shell, _: String, _: SourceLocation) throws(Diagnostic) in
            let rows = shell.maxRows.map { $0 == Int.max ? "0 (every row)" : "\($0)" } ?? "20 on a terminal and in notebooks, every row in a pipe or file"
            let settings: [(String, String)] = [
                ("mode", shell.mode.rawValue), ("echo", shell.echo ? "on" : "off"), ("timer", shell.timer ? "on" : "off"),
                ("color", shell.color ? "on" : "off" + (Terminal.noColor ? " (NO_COLOR is set)" : "")),
                ("maxrows", rows), ("maxwidth", shell.maxWidth == 0 ? "0 (the terminal's width; no limit in a pipe or file)" : "\(shell.maxWidth)"),
                ("columns", shell.wideAsList ? "on" : "off"), ("output", Terminal.outputFile?.path ?? "stdout"),
                ("folder", shell.session.directory ?? FileManager.default.currentDirectoryPath), ("lang", shell.session.language.rawValue), ("calendar", shell.session.calendar.rawValue), ("digits", shell.digits.rawValue),
                ("memory limit", MemoryLimit.text(shell.session.memoryLimit.bytes) + " per statement"),
            ]
            let width = settings.map(\.0.count).max() ?? 0
            shell.result(settings.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 + "\n" }.joined())
        },
        DotCommand(name: "quit", usage: ".quit", help: "leave clubsh (Ctrl-D does the same)", example: ".quit") { (shell: Shell, _: String, _: SourceLocation) throws(Diagnostic) in
            shell.quitRequested = true
        },
        DotCommand(name: "exit", usage: ".exit", help: "leave clubsh", example: ".exit") { (shell: Shell, _: String, _: SourceLocation) throws(Diagnostic) in
            shell.quitRequested = true
        },
    ]

    static func run(_ name: String, _ arguments: String, shell: Shell, at location: SourceLocation) throws(Diagnostic) {
        guard let command = all.first(where: { $0.name == name }) else {
            throw Diagnostic("unknown command `.\(name)`", at: location,
                             hint: Suggest.closest(to: name, among: all.map(\.name)).map { "did you mean `.\($0)`?" } ?? "`.help` lists the commands")
        }
        try command.run(shell, arguments, location)
    }

    /// `FILE [option]` or `"FILE WITH SPACES" [option]`: the file and the option word, if any.
    static func fileArgument(_ args: String, options: [String], command: String, at: SourceLocation) throws(Diagnostic) -> (path: String, option: String?) {
        var path: String
        var rest: Substring
        if let q = args.first, q == "\"" || q == "'" {
            guard let close = args.dropFirst().firstIndex(of: q) else { throw Diagnostic("the file name after \(command) has no closing quote", at: at) }
            path = String(args[args.index(after: args.startIndex)..<close])
            rest = args[args.index(after: close)...]
        } else {
            let end = args.firstIndex(where: \.isWhitespace) ?? args.endIndex
            path = String(args[..<end])
            rest = args[end...]
        }
        let option = rest.trimmingCharacters(in: .whitespaces)
        if option.isEmpty { return (path, nil) }
        guard options.contains(option) else {
            throw Diagnostic("\(command) takes a file name and then \(options.map { "`\($0)`" }.joined(separator: " or ")), not `\(option)`", at: at,
                             hint: "put a file name with spaces in quotes")
        }
        path = path.trimmingCharacters(in: .whitespaces)
        return (path, option)
    }

    /// A whole number of 0 or more for `.maxrows` and `.maxwidth`.
    static func count(_ args: String, command: String, what: String, at: SourceLocation) throws(Diagnostic) -> Int {
        guard let n = Int(args), n >= 0 else {
            throw Diagnostic("\(command) takes a number of \(what), 0 or more, not `\(args)`", at: at, hint: "like \(command) 40")
        }
        return n
    }

    static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f { return String(s.dropFirst().dropLast()) }
        return s
    }
}
