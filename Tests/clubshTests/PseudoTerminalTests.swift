import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drives the real binary through a pseudo-terminal, typing keys and reading the screen, as a
/// person at the prompt would.
final class PseudoTerminalTests: XCTestCase {
    /// A clubsh process on the other end of a pseudo-terminal.
    final class Prompt {
        let pid: pid_t
        let fd: Int32
        /// What clubsh wrote since the last `forget`.
        private var bytes: [UInt8] = []
        var screen: String { String(decoding: bytes, as: UTF8.self) }

        /// clubsh in a terminal of `columns` × 40, with `environment` added to (or, for a nil
        /// value, taken out of) the tests' own.
        init(home: String, directory: String, columns: UInt16 = 140, environment extra: [String: String?] = [:], arguments: [String] = []) throws {
            // Everything the child needs is prepared before fork: it only calls chdir and execve.
            let binary = ClubshRun.binary.path
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = home
            environment["TERM"] = "xterm"
            for (key, value) in extra { environment[key] = value }
            let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            let directory = strdup(directory)!
            var master: Int32 = 0
            var size = winsize(ws_row: 40, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
            let pid = forkpty(&master, nil, nil, &size)
            if pid == 0 {
                _ = chdir(directory)
                execve(binary, argv, envp)
                _exit(127)
            }
            guard pid > 0 else { throw CocoaError(.fileReadUnknown) }
            self.pid = pid
            fd = master
        }

        func type(_ keys: String) {
            _ = keys.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        }

        /// Reads until `text` appears on the screen (escape sequences removed) or `timeout` passes.
        @discardableResult
        func wait(for text: String, after earlier: String? = nil, timeout: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            func seen() -> Bool {
                let screen = plain
                guard let earlier else { return screen.contains(text) }
                guard let start = screen.range(of: earlier) else { return false }
                return screen[start.upperBound...].contains(text)
            }
            while Date() < deadline {
                if seen() { return true }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                // Bytes, decoded as a whole: a read may end inside a character.
                bytes += buffer[0..<n]
            }
            return seen()
        }

        /// The screen without ANSI escape sequences and carriage returns, with backspaces applied.
        var plain: String {
            let stripped = screen.replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
                .replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\u{7}", with: "")
            var out: [Character] = []
            for c in stripped {
                if c == "\u{8}" { if !out.isEmpty { out.removeLast() } } else { out.append(c) }
            }
            return String(out)
        }

        func forget() { bytes = [] }

        /// Waits until the line editor has the terminal (no kernel echo): keys typed before
        /// that are shown twice, once by the terminal and once by the editor.
        func waitForLineEditor(timeout: Double = 10) {
            let deadline = Date().addingTimeInterval(timeout)
            var t = termios()
            while Date() < deadline {
                if tcgetattr(fd, &t) == 0 && t.c_lflag & tcflag_t(ECHO) == 0 { return }
                usleep(10_000)
            }
        }

        func close() {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            _ = closeDescriptor(fd)
        }
    }

    private var home: String!
    /// The prompt's working directory: a fresh folder with a copy of Samples.
    private var work: String!

    override func setUpWithError() throws {
        home = try ClubshRun.temporaryFolder("pty-home").path
        work = try ClubshRun.workspace().path
    }

    private func start() throws -> Prompt {
        let p = try Prompt(home: home, directory: work)
        XCTAssertTrue(p.wait(for: "]> "), "no prompt: \(p.plain)")
        p.type("load \"Samples/data/orders.csv\"\r")
        // The next prompt is drawn only once the statement has finished; a key typed before it
        // would reach the statement, not the prompt.
        XCTAssertTrue(p.wait(for: "]> ", after: "loaded orders"), p.plain)
        p.forget()
        return p
    }

    func testTabCompletesAColumnName() throws {
        let p = try start()
        defer { p.close() }
        p.type("orders | where amo\t")
        XCTAssertTrue(p.wait(for: "where amount"), p.plain)
    }

    func testErrorsShowACaretUnderTheMistake() throws {
        let p = try start()
        defer { p.close() }
        p.type("orders | where amout > 1\r")
        XCTAssertTrue(p.wait(for: "did you mean `amount`?"), p.plain)
        XCTAssertTrue(p.plain.contains("  orders | where amout > 1\n                 ^^^^^\n"), p.plain)
    }

    /// A pipeline pasted with its next line starting `|`: the first line runs at once, and the
    /// second says how to continue a line instead of a bare syntax error.
    func testALeadingPipeAtThePromptSaysHowToContinue() throws {
        let p = try start()
        defer { p.close() }
        p.type("orders | count\r")
        XCTAssertTrue(p.wait(for: "[2]> "), p.plain)
        p.type("| agg n = count()\r")
        XCTAssertTrue(p.wait(for: "end the line with `|`"), p.plain)
        XCTAssertTrue(p.plain.contains("a statement cannot start with `|`"), p.plain)
        XCTAssertTrue(p.plain.contains("at the prompt a complete line runs at once"), p.plain)
    }

    /// `--echo` at a terminal prints each statement of `-c` before its result; a line typed at
    /// the prompt is on the screen already and is not printed twice.
    func testEchoAtATerminal() throws {
        let p = try Prompt(home: home, directory: work, arguments: ["--echo", "-i", "-c", "6 * 7"])
        defer { p.close() }
        XCTAssertTrue(p.wait(for: "]> "), p.plain)
        XCTAssertTrue(p.plain.contains("6 * 7\n"), p.plain)
        XCTAssertLessThan(p.plain.range(of: "6 * 7")!.lowerBound, p.plain.range(of: "42")!.lowerBound, p.plain)
        p.waitForLineEditor()
        p.type("20 + 3\r")
        XCTAssertTrue(p.wait(for: "23\n"), p.plain)
        XCTAssertTrue(p.wait(for: "]> ", after: "23\n"), p.plain)
        // An echo would print the statement on a line of its own after the line the editor
        // shows it on (`[2]> 20 + 3`) and before its result.
        let lines = p.plain.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let edited = lines.lastIndex(where: { $0.hasSuffix("]> 20 + 3") }), let result = lines.lastIndex(of: "23"), edited < result else {
            return XCTFail(p.plain)
        }
        XCTAssertFalse(lines[(edited + 1)..<result].contains("20 + 3"), p.plain)
    }

    /// Tab-Tab after `where ` lists the columns flowing in, not the functions and keywords.
    func testTabTabAfterWhereListsTheColumns() throws {
        let p = try start()
        defer { p.close() }
        p.type("orders | where \t\t")
        XCTAssertTrue(p.wait(for: "customer_id"), p.plain)
        XCTAssertTrue(p.plain.contains("amount"), p.plain)
        XCTAssertFalse(p.plain.contains("coalesce"), p.plain)
    }

    /// `~/.clubshrc` runs before the prompt; `-i` runs the `-c` statements, then stays.
    func testInitFileAndStayingAtThePromptAfterStatements() throws {
        try "let x = 41\n".write(toFile: home + "/.clubshrc", atomically: true, encoding: .utf8)
        let p = try Prompt(home: home, directory: work, arguments: ["-i", "-c", "let y = 2"])
        defer { p.close() }
        XCTAssertTrue(p.wait(for: "]> "), p.plain)
        p.type("x + y * 0.5\r")
        XCTAssertTrue(p.wait(for: "42"), p.plain)
    }

    func testHistoryIsRecalledInTheNextSession() throws {
        let first = try start()
        first.type("orders | agg n = count() by channel\r")
        XCTAssertTrue(first.wait(for: "3 rows"), first.plain)
        first.type(".quit\r")
        var status: Int32 = 0
        waitpid(first.pid, &status, 0)
        let second = try Prompt(home: home, directory: work)
        defer { second.close() }
        XCTAssertTrue(second.wait(for: "]> "))
        second.forget()
        // The newest entry is `.quit`; the one before it is the statement.
        second.type("\u{1B}[A")
        XCTAssertTrue(second.wait(for: ".quit"), second.plain)
        second.type("\u{1B}[A")
        XCTAssertTrue(second.wait(for: "orders | agg n = count() by channel"), second.plain)
    }

    func testCtrlCCancelsALongStatementAndKeepsTheSession() throws {
        let p = try start()
        defer { p.close() }
        // Every order joined to every order of its channel: about 90 million rows.
        p.type("orders | join orders on channel == channel | count\r")
        Thread.sleep(forTimeInterval: 0.5)
        let pressed = Date()
        p.type("\u{03}")
        XCTAssertTrue(p.wait(for: "interrupted; nothing changed", timeout: 5), p.plain)
        XCTAssertLessThan(Date().timeIntervalSince(pressed), 5)
        p.forget()
        p.type("orders | count\r")
        XCTAssertTrue(p.wait(for: "16405"), "the session goes on: \(p.plain)")
    }

    func testCtrlCStopsALoadWaitingForAFIFOWriter() throws {
        XCTAssertEqual(mkfifo(work + "/silent.fifo", 0o600), 0)
        let p = try start()
        defer { p.close() }
        p.type("load \"silent.fifo\"\r")
        Thread.sleep(forTimeInterval: 0.5)
        p.type("\u{03}")
        XCTAssertTrue(p.wait(for: "interrupted; nothing changed", timeout: 5), p.plain)
        p.forget()
        p.type("orders | count\r")
        XCTAssertTrue(p.wait(for: "16405"), "the session goes on: \(p.plain)")
    }

    /// Persian typed at the prompt reaches clubsh as typed, whatever the locale the shell was
    /// started in (libedit decodes UTF-8 only under a UTF-8 LC_CTYPE).
    func testPersianTypedAtThePrompt() throws {
        let p = try start()
        defer { p.close() }
        p.type("\"سلام\" + \" دنیا\"\r")
        XCTAssertTrue(p.wait(for: "سلام دنیا\n"), p.plain)
        p.forget()
        p.type("orders | where channel == \"وب\" | count\r")
        XCTAssertTrue(p.wait(for: "count"), p.plain)
        XCTAssertFalse(p.plain.contains("U+"), p.plain)
    }

    func testCtrlCAtAnEmptyPromptSaysHowToQuit() throws {
        let p = try start()
        defer { p.close() }
        p.type("\u{03}")
        XCTAssertTrue(p.wait(for: ".quit or Ctrl-D leaves clubsh"), p.plain)
    }
}

#if canImport(Glibc)
private let closeDescriptor = Glibc.close
#else
private let closeDescriptor = Darwin.close
#endif
