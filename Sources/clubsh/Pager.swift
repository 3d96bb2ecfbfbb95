import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text taller than the terminal (the ~100 lines of `help`) goes through a pager, as git and
/// psql do: `$PAGER` when it is set, else `less -FRX` (quit at once when it fits, keep colours,
/// leave the text on the screen). Off a terminal, or with no pager to run, the text is printed.
enum Pager {
    /// Pages `text` on the terminal; false when it did not (not a terminal, short enough to
    /// fit, no pager, or the pager could not be started), and the caller prints it.
    static func show(_ text: String) -> Bool {
        guard Terminal.stdoutIsTerminal, Terminal.outputFile == nil else { return false }
        guard text.utf8.count(where: { $0 == 10 }) >= Terminal.height - 1 else { return false }
        let configured = ProcessInfo.processInfo.environment["PAGER"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let command: String
        if !configured.isEmpty {
            command = configured
        } else if onPath("less") {
            command = "less -FRX"
        } else {
            return false
        }
        Terminal.flush()
        guard let (pid, input) = spawn(command) else { return false }
        write(text, to: input)
        _ = closeDescriptor(input)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // 126 and 127: the shell could not run the command (not found, not executable); it has
        // said so on stderr, and the text is printed instead.
        let exited = status & 0x7F == 0, code = (status >> 8) & 0xFF
        return !(exited && (code == 126 || code == 127))
    }

    /// `/bin/sh -c command` reading from a new pipe, in clubsh's own session and process group
    /// so that it can read keys from the terminal (Foundation's `Process` starts a new session,
    /// where `less` has no terminal and quits). Returns the process and the pipe's writing end.
    private static func spawn(_ command: String) -> (pid_t, Int32)? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        let (reading, writing) = (fds[0], fds[1])
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        #else
        var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, reading, 0)
        posix_spawn_file_actions_addclose(&actions, reading)
        posix_spawn_file_actions_addclose(&actions, writing)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        _ = closeDescriptor(reading)
        guard started == 0 else {
            _ = closeDescriptor(writing)
            return nil
        }
        return (pid, writing)
    }

    /// Writes all of `text` unless the pager goes away first (the user quit it): SIGPIPE is
    /// ignored meanwhile, so a closed pipe is an EPIPE that ends the writing, not clubsh.
    private static func write(_ text: String, to fd: Int32) {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        var bytes = Array(text.utf8)
        var offset = 0
        // SAFETY: each write(2) reads bytes[offset..<count] of the array's own storage.
        bytes.withUnsafeMutableBytes { raw in
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Whether an executable `name` is in a folder of PATH.
    private static func onPath(_ name: String) -> Bool {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.contains { access("\($0)/\(name)", X_OK) == 0 }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
private let closeDescriptor = Glibc.close
#else
private let systemWrite = Darwin.write
private let closeDescriptor = Darwin.close
#endif
