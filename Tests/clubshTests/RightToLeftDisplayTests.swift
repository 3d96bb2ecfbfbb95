import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Persian text in table cells on a terminal: each cell holding right-to-left text is wrapped in
/// FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069), which take no columns, so
/// the box's borders stay where they are; in a pipe the cells are written as they are.
final class RightToLeftDisplayTests: XCTestCase {
    typealias Prompt = PseudoTerminalTests.Prompt
    private let fsi: Character = "\u{2068}", pdi: Character = "\u{2069}"

    /// Names and cities in Persian beside Latin ones, and a Jalali date column.
    private let customers = """
    مشتری,نام,شهر,مبلغ,تاریخ
    1,علی رضایی,تهران,120000,1402/06/31
    2,Sara Ahmadi,شیراز,85000,1402/07/01
    3,مریم,Isfahan,40000,1402/07/15

    """

    private func folder() throws -> URL {
        let work = try ClubshRun.temporaryFolder("rtl")
        try customers.write(to: work.appendingPathComponent("fa.csv"), atomically: true, encoding: .utf8)
        return work
    }

    /// Columns a terminal gives `line`: the isolates and other format marks take none, every
    /// other character here one (Persian letters and box-drawing characters are narrow).
    private func columns(_ line: Substring) -> [Int] {
        var at = 0, bars: [Int] = []
        for u in line.unicodeScalars {
            if u.properties.generalCategory == .format || u.properties.generalCategory == .nonspacingMark { continue }
            if "│┼┬┴┌┐└┘├┤".unicodeScalars.contains(u) { bars.append(at) }
            at += 1
        }
        return bars
    }

    private func boxLines(_ screen: String) -> [Substring] {
        screen.split(separator: "\n").filter { ["┌", "│", "├", "└"].contains($0.first.map(String.init) ?? "") }
    }

    /// Through a pseudo-terminal: the isolates are in the bytes clubsh writes, around the
    /// Persian cells and names only, and every line of the box puts its bars in the same columns.
    func testRightToLeftCellsAreIsolatedAtATerminal() throws {
        let work = try folder()
        let p = try Prompt(home: try ClubshRun.temporaryFolder("pty-home").path, directory: work.path, columns: 120)
        defer { p.close() }
        XCTAssertTrue(p.wait(for: "]> "), "no prompt: \(p.plain)")
        p.type(".calendar jalali\r")
        p.type("load \"fa.csv\" as fa\r")
        XCTAssertTrue(p.wait(for: "]> ", after: "loaded fa"), p.plain)
        p.forget()
        p.type("fa\r")
        XCTAssertTrue(p.wait(for: "3 rows\n"), p.plain)
        let screen = p.plain
        XCTAssertTrue(screen.contains("│ \(fsi)علی رضایی\(pdi)   │ \(fsi)تهران\(pdi)   │ 120000 │ 1402-06-31 │"), screen)
        XCTAssertTrue(screen.contains("│ Sara Ahmadi │ \(fsi)شیراز\(pdi)   │"), screen)
        XCTAssertTrue(screen.contains("│ \(fsi)مریم\(pdi)        │ Isfahan │"), screen)
        XCTAssertTrue(screen.contains("│ \(fsi)مشتری\(pdi) │"), screen)
        let lines = boxLines(screen)
        XCTAssertEqual(lines.count, 8, screen)
        guard let top = lines.first else { return }
        let bars = columns(top)
        for line in lines { XCTAssertEqual(columns(line), bars, "a border out of line: \(line)") }
    }

    /// In a pipe nothing is added: the cells are the data.
    func testNoIsolatesInAPipe() throws {
        let work = try folder()
        let r = try ClubshRun.run(["--mode", "table", "-c", "load \"fa.csv\" as fa", "-c", "fa"], directory: work)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("│ علی رضایی   │ تهران   │"), r.stdout)
        XCTAssertFalse(r.stdout.contains(fsi) || r.stdout.contains(pdi), r.stdout)
    }

    /// In a real terminal emulator, tmux: the screen tmux keeps has every border of the box in
    /// the same column, so the isolates took no cells.
    func testBordersLineUpInTmux() throws {
        guard let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("tmux is not installed: install it and run `swift test --filter RightToLeftDisplayTests` to check the borders in a terminal")
        }
        let work = try folder()
        // A server of its own, on a socket in a folder of the test's own, whose path is short
        // enough for a Unix socket (about 100 bytes): no other tmux session is touched.
        let socketFolder = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-tmux-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: socketFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: socketFolder) }
        let socket = socketFolder.appendingPathComponent("s").path
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = "C.UTF-8"
        environment.removeValue(forKey: "TMUX")
        /// tmux's output. Spawned and waited for by hand: the server `new-session` starts outlives
        /// it and inherits its descriptors, which keeps Foundation's `Process` from ever seeing
        /// the client end.
        func tmuxRun(_ arguments: [String]) -> String {
            let output = socketFolder.appendingPathComponent("out-\(UUID().uuidString.prefix(8))").path
            defer { unlink(output) }
            #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
            #else
            var actions: posix_spawn_file_actions_t?
            #endif
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv: [UnsafeMutablePointer<CChar>?] = ([tmux, "-S", socket] + arguments).map { strdup($0) } + [nil]
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for p in argv + envp { free(p) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, tmux, &actions, nil, argv, envp) == 0 else { return "" }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }
        let home = try ClubshRun.temporaryFolder("tmux-home").path
        let command = "HOME='\(home)' '\(ClubshRun.binary.path)' --calendar jalali -i -c 'load \"fa.csv\" as fa' -c fa"
        _ = tmuxRun(["-u", "new-session", "-d", "-x", "120", "-y", "40", "-c", work.path, "-s", "rtl", command])
        defer { _ = tmuxRun(["kill-server"]) }
        var screen = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            screen = tmuxRun(["capture-pane", "-p", "-t", "rtl"])
            if screen.contains("3 rows") { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertTrue(screen.contains("3 rows"), screen)
        let lines = boxLines(screen)
        XCTAssertEqual(lines.count, 8, screen)
        guard let top = lines.first else { return }
        let bars = columns(top)
        XCTAssertEqual(bars.count, 6, screen)
        for line in lines { XCTAssertEqual(columns(line), bars, "a border out of line in tmux: \(line)") }
        XCTAssertTrue(screen.contains("علی رضایی"), screen)
    }
}
