import ClubKit
import Foundation

/// clubsh's entry point: parse the arguments, pick the input, map the outcome to an exit code
/// (0 success, 1 a statement failed, 2 a usage error).
let arguments: Arguments
do {
    arguments = try Arguments.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    Terminal.writeError("clubsh: \(error.message)\nTry clubsh --help.\n")
    exit(2)
}
if arguments.showHelp {
    Terminal.write(Arguments.usage + "\n")
    Terminal.flush()
    exit(0)
}
if arguments.showVersion {
    Terminal.write("clubsh \(Version.text)\n")
    Terminal.flush()
    exit(0)
}

if let notebook = arguments.notebook {
    let status = notebook.command == "check" ? NotebookCommands.check(notebook.path, asOf: arguments.asOf)
                                             : NotebookCommands.run(notebook.path, update: notebook.update, asOf: arguments.asOf)
    Terminal.flush()
    exit(status)
}

let interactive = arguments.files.isEmpty && arguments.commands.isEmpty && Terminal.stdinIsTerminal
let session = Session(asOf: arguments.asOf)
let shell = Shell(session: session,
                  mode: arguments.mode ?? (Terminal.stdoutIsTerminal ? .table : .csv),
                  keepGoing: arguments.keepGoing,
                  interactive: interactive,
                  color: Terminal.colorWanted(override: arguments.color))

// A progress bar for long loads, on a terminal only.
if Terminal.stderrIsTerminal {
    let bar = ProgressBar()
    session.loadProgress = { path, done, rows, bytes in bar.update(path: path, done: done, rows: rows, bytes: bytes) }
}

var ok = true
if interactive {
    let history = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.clubsh_history"
    REPL(shell: shell, editor: LineEditor(historyPath: history)).run()
} else if !arguments.commands.isEmpty || !arguments.files.isEmpty {
    for (k, command) in arguments.commands.enumerated() where ok || arguments.keepGoing {
        ok = shell.run(source: command, origin: "-c#\(k + 1)") && ok
        if shell.quitRequested { break }
    }
    for file in arguments.files where (ok || arguments.keepGoing) && !shell.quitRequested {
        ok = (file == "-" ? shell.run(source: readAllStandardInput(), origin: "<stdin>") : shell.runFile(file)) && ok
    }
} else {
    ok = shell.run(source: readAllStandardInput(), origin: "<stdin>")
}
Terminal.flush()
exit(ok ? 0 : 1)

func readAllStandardInput() -> String {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return String(decoding: data, as: UTF8.self)
}
