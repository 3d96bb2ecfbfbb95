import ClubKit

/// The command line: `clubsh [options] [FILE.club …]`.
struct Arguments {
    /// A script file (`-` for stdin) or a `-c` statement, run in the order given.
    enum Input: Equatable {
        case file(String)
        case command(String)
    }

    /// Files and `-c` statements in the order they appear on the command line.
    var inputs: [Input] = []
    var mode: OutputMode?
    var keepGoing = false
    var color: Bool?
    var asOf: Int32?
    var showHelp = false
    var showVersion = false
    /// `-init FILE`: run FILE first, in place of `~/.clubshrc`.
    var initFile: String?
    /// `-no-init`: run no init file.
    var noInit = false
    /// `-i`: after the files and `-c` statements, stay at the prompt.
    var stayInteractive = false
    /// `--echo`: print each statement before its result (`.echo on`).
    var echo = false
    /// `--calendar jalali|gregorian` (`.calendar`).
    var calendar: CalendarKind?
    /// `run`, `run --update`, `run --html` or `check` of a Markdown notebook.
    var notebook: (command: String, output: NotebookOutput, path: String)?

    /// What `clubsh run` does with a notebook's outputs.
    enum NotebookOutput: Equatable {
        /// `run`: print them; `check`: compare them with the stored ones.
        case print
        /// `run --update`: write them back into the notebook.
        case update
        /// `run --html`: one standalone web page on stdout.
        case html
    }

    /// The usage text, ending with every statement, step, command and function by name.
    static var usage: String {
        var text = usageHead
        for group in HelpTopic.Group.allCases {
            let names = HelpTopics.all.filter { $0.group == group }.map(\.name)
            text += "\n  \(group.rawValue): " + names.joined(separator: ", ")
        }
        text += "\n  dot commands: " + DotCommands.all.map { "." + $0.name }.joined(separator: ", ")
        return text + "\n\n`.help TOPIC` (or `help TOPIC`) at the prompt explains one, with an example."
    }

    static let usageHead = """
    usage: clubsh [options] [FILE.club …]
           clubsh run [--update] FILE.md      run a Markdown notebook's clubsh blocks (--update writes the outputs back)
           clubsh run --html FILE.md          the notebook as one web page on stdout: its reading, statements, tables, charts
           clubsh check FILE.md               exit 1 with a diff where a stored output no longer matches

    clubsh is a shell for customer-club (loyalty) analytics: load CSV files, ask questions in a
    small pipeline language, and print results as tables, CSV or JSON.

    With no FILE and a terminal on stdin it starts the interactive prompt; with no FILE and a
    pipe it runs the statements read from stdin.

    options:
      -c STATEMENT        run STATEMENT (may be given more than once), then exit;
                          files and -c statements run in the order given
      --mode MODE         output mode: table, csv, tsv, json, jsonl, markdown, line
                          (default: table on a terminal, csv otherwise)
      --keep-going        report errors and carry on instead of stopping at the first
      --as-of YYYY-MM-DD  the date days_since() counts to (default: today)
      --color, --no-color force colours on or off (never with NO_COLOR set in the environment)
      -init FILE          run FILE first, in place of ~/.clubshrc (which runs only before the prompt)
      -no-init            run no init file
      -i                  after the files and -c statements, stay at the prompt
      --echo              print each statement before its result (as .echo on)
      --calendar CAL      gregorian or jalali: the months analytics count and dates print in (as .calendar)
      --help              show this help
      --version           show the version

    examples:
      clubsh Samples/tour.club
      clubsh -c 'load "Samples/data/orders.csv"' -c 'orders | agg n = count() by channel'
      echo 'load "Samples/data/orders.csv"; orders | count' | clubsh --mode json
      clubsh run --html Samples/lessons/05-cohorts.md > cohorts.html

    the language:
    """

    /// `clubsh run [--update | --html] [--as-of DATE] FILE.md` and `clubsh check [--as-of DATE]
    /// FILE.md`, options in any order before the file.
    static func parseNotebook(_ command: String, _ argv: [String]) throws(UsageError) -> Arguments {
        let usage = command == "run" ? "usage: clubsh run [--update | --html] [--as-of DATE] FILE.md" : "usage: clubsh check [--as-of DATE] FILE.md"
        var a = Arguments()
        var output = NotebookOutput.print
        var path: String?
        var i = 0
        while i < argv.count {
            let arg = argv[i]
            switch arg {
            case "--update", "--html":
                guard command == "run" else { throw UsageError("\(arg) goes with run: clubsh run \(arg) FILE.md") }
                let wanted: NotebookOutput = arg == "--update" ? .update : .html
                if output != .print && output != wanted {
                    throw UsageError("--update and --html ask for different things (--update rewrites FILE.md, --html writes a page to stdout); give one")
                }
                output = wanted
            case "-h", "--help":
                a.showHelp = true
                return a
            case "--as-of":
                i += 1
                guard i < argv.count else { throw UsageError("--as-of needs a value") }
                guard let day = DateParserBridge.isoDate(argv[i]) else { throw UsageError("--as-of takes a date like 2024-06-30, not \(argv[i])") }
                a.asOf = day
            default:
                if arg.hasPrefix("-") && arg != "-" && path == nil {
                    let known = command == "run" ? ["--update", "--html", "--as-of"] : ["--as-of"]
                    throw UsageError("unknown option \(arg) for \(command)" + (Suggest.closest(to: arg, among: known).map { "; did you mean \($0)?" } ?? "") + "\n" + usage)
                }
                guard path == nil else { throw UsageError(usage) }
                path = arg
            }
            i += 1
        }
        guard let path else { throw UsageError(usage) }
        a.notebook = (command, output, path)
        return a
    }

    /// Parses `argv` (without the program name).
    static func parse(_ argv: [String]) throws(UsageError) -> Arguments {
        var a = Arguments()
        if let first = argv.first, first == "run" || first == "check" {
            return try parseNotebook(first, Array(argv.dropFirst()))
        }
        var i = 0
        func value(_ flag: String) throws(UsageError) -> String {
            i += 1
            guard i < argv.count else { throw UsageError("\(flag) needs a value") }
            return argv[i]
        }
        while i < argv.count {
            let arg = argv[i]
            switch arg {
            case "-c", "--command": a.inputs.append(.command(try value(arg)))
            case "--mode", "-m":
                let m = try value(arg)
                guard let mode = OutputMode(rawValue: m) else {
                    throw UsageError("unknown mode \(m); the modes are \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                a.mode = mode
            case "--keep-going", "-k": a.keepGoing = true
            case "--color", "--colour": a.color = true
            case "--no-color", "--no-colour": a.color = false
            case "--as-of":
                let d = try value(arg)
                guard let day = DateParserBridge.isoDate(d) else { throw UsageError("--as-of takes a date like 2024-06-30, not \(d)") }
                a.asOf = day
            case "-init", "--init": a.initFile = try value(arg)
            case "-no-init", "--no-init": a.noInit = true
            case "-i", "--interactive": a.stayInteractive = true
            case "--echo", "-echo": a.echo = true
            case "--calendar":
                let c = try value(arg)
                guard let calendar = CalendarKind(rawValue: c) else {
                    throw UsageError("--calendar takes gregorian or jalali, not \(c)"
                                     + (["persian", "shamsi", "solar"].contains(c.lowercased()) ? " (the Persian calendar is jalali)" : ""))
                }
                a.calendar = calendar
            case "-h", "--help": a.showHelp = true
            case "--version", "-V": a.showVersion = true
            default:
                if arg.hasPrefix("-") && arg != "-" {
                    let known = ["-c", "--mode", "--keep-going", "--as-of", "--color", "--no-color", "-init", "-no-init", "-i", "--echo", "--calendar", "--help", "--version"]
                    throw UsageError("unknown option \(arg)" + (Suggest.closest(to: arg, among: known).map { "; did you mean \($0)?" } ?? ""))
                }
                a.inputs.append(.file(arg))
            }
            i += 1
        }
        if a.noInit && a.initFile != nil { throw UsageError("-no-init and -init FILE ask for opposite things; give one") }
        return a
    }
}

struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

enum DateParserBridge {
    static func isoDate(_ s: String) -> Int32? { DateParser.isoDate(s) }
}
