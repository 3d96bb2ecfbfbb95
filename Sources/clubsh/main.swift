import ClubKit
import Foundation

/// clubsh's entry point: parse the arguments, pick the input, map the outcome to an exit code
/// (0 success, 1 a statement failed, 2 a usage error, 130 stopped by Ctrl-C).
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

/// Ends clubsh: the `.output` file put in place, stdout flushed, and the exit code.
func finish(_ status: Int32, interactive: Bool = false) -> Never {
    let finished = Terminal.finish()
    exit(!interactive && Terminal.interrupted != 0 ? 130 : finished ? status : max(status, 1))
}

if let notebook = arguments.notebook {
    Terminal.catchInterrupts(once: true)
    let status = notebook.command == "check" ? NotebookCommands.check(notebook.path, asOf: arguments.asOf)
        : notebook.output == .html ? NotebookCommands.page(notebook.path, asOf: arguments.asOf)
        : NotebookCommands.run(notebook.path, update: notebook.output == .update, asOf: arguments.asOf)
    finish(status)
}

/// The prompt starts when there is nothing else to run, or after it with `-i`, on a terminal.
let interactive = (arguments.inputs.isEmpty || arguments.stayInteractive) && Terminal.stdinIsTerminal
let session = Session(asOf: arguments.asOf)
let shell = Shell(session: session,
                  mode: arguments.mode ?? (Terminal.stdoutIsTerminal ? .table : .csv),
                  keepGoing: arguments.keepGoing,
                  interactive: interactive,
                  color: Terminal.colorWanted(override: arguments.color))

shell.echo = arguments.echo
if let calendar = arguments.calendar { session.calendar = calendar }

// A progress bar for long loads, on a terminal only.
if Terminal.stderrIsTerminal {
    let bar = ProgressBar()
    session.loadProgress = { path, done, rows, bytes in bar.update(path: path, done: done, rows: rows, bytes: bytes) }
}

var ok = true
// The init file: `-init FILE`, else `~/.clubshrc` before the prompt (never for a script or a
// pipe, so they give the same answers on every machine); `-no-init` skips both.
if !arguments.noInit {
    if let file = arguments.initFile {
        ok = shell.runFile(file)
        if !ok && !interactive { finish(1) }
    } else if interactive {
        let rc = (FilePath.environmentHome.flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.clubshrc"
        if FileManager.default.fileExists(atPath: rc) { _ = shell.runFile(rc) }
    }
}
if interactive && !arguments.inputs.isEmpty {
    // `-i`: the files and `-c` statements first, then the prompt.
    var commandNumber = 0
    for input in arguments.inputs where !shell.quitRequested {
        switch input {
        case .command(let command):
            commandNumber += 1
            _ = shell.run(source: command, origin: "-c#\(commandNumber)")
        case .file(let file):
            _ = shell.runFile(file)
        }
    }
}
if interactive {
    let history = (FilePath.environmentHome ?? ".") + "/.clubsh_history"
    REPL(shell: shell, editor: LineEditor(historyPath: history)).run()
} else if !arguments.inputs.isEmpty {
    // Ctrl-C stops the running statement (a load waiting on a FIFO, a long fit) and ends clubsh
    // with 130 after putting any `.output` file in place; a second Ctrl-C ends it at once.
    Terminal.catchInterrupts(once: true)
    session.isCancelled = { Terminal.interrupted != 0 }
    // Files and `-c` statements run in the order given: `clubsh setup.club -c 'z + 1'` sets up first.
    var commandNumber = 0
    for input in arguments.inputs where (ok || arguments.keepGoing) && !shell.quitRequested {
        switch input {
        case .command(let command):
            commandNumber += 1
            ok = shell.run(source: command, origin: "-c#\(commandNumber)") && ok
        case .file(let file):
            ok = (file == "-" ? shell.run(source: readAllStandardInput(), origin: "<stdin>") : shell.runFile(file)) && ok
        }
    }
    // `-i` without a terminal: the statements piped in take the prompt's place.
    if arguments.stayInteractive && (ok || arguments.keepGoing) && !shell.quitRequested {
        ok = shell.run(source: readAllStandardInput(), origin: "<stdin>") && ok
    }
} else {
    let source = readAllStandardInput()
    Terminal.catchInterrupts(once: true)
    session.isCancelled = { Terminal.interrupted != 0 }
    ok = shell.run(source: source, origin: "<stdin>")
}
finish(ok ? 0 : 1, interactive: interactive)

/// Standard input to its end (or until Ctrl-C).
func readAllStandardInput() -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        // read(2) itself rather than FileHandle, so that Ctrl-C (EINTR) can stop the wait.
        // SAFETY: read(2) writes at most chunk.count bytes into the array's own storage.
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n > 0 { bytes += chunk[0..<n]; continue }
        if n < 0 && errno == EINTR && Terminal.interrupted == 0 { continue }
        break
    }
    return String(decoding: bytes, as: UTF8.self)
}
