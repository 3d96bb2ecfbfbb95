import Foundation
import XCTest

/// Runs the built `clubsh` binary as a user would: through pipes, with arguments, on scripts.
/// What a statement prints is pinned in the golden scripts (Golden/, `GoldenScriptTests`); these
/// tests keep what a script cannot say about itself: streams kept apart, exit codes without
/// `--keep-going`, command-line options, script files and the tour.
final class EndToEndTests: XCTestCase {
    typealias Run = ClubshRun
    static let testsDirectory = ClubshRun.testsDirectory
    static let repositoryRoot = ClubshRun.repositoryRoot

    /// Runs clubsh in a fresh folder holding copies of `Fixtures/` and `Samples/`.
    func clubsh(_ arguments: [String], stdin: String = "", directory: URL? = nil) throws -> Run {
        try ClubshRun.run(arguments, stdin: stdin, directory: directory)
    }

    func testPipedScriptPrintsCSVResultsAndMessagesApart() throws {
        let r = try clubsh([], stdin: "load \"Fixtures/orders.csv\"\norders | where amount > 100 | select order_id, amount\n(90 / 100) * 100\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "order_id,amount\n1,120.5\n3,300\nvalue\n90\n")
        XCTAssertEqual(r.stderr, "loaded orders: 5 rows × 5 columns from Fixtures/orders.csv\n")
    }

    /// `.cd` moves where relative paths are read from (not the process's folder); `.show` lists
    /// the settings.
    func testCdAndShow() throws {
        let work = try ClubshRun.workspace()
        let r = try ClubshRun.run([], stdin: ".cd Samples\nload \"data/orders.csv\"\n.cd\n.timer on\n.show\n.cd nowhere\n", directory: work)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("loaded orders: 16,405 rows × 8 columns from data/orders.csv"), r.stderr)
        XCTAssertTrue(r.stdout.contains("folder: " + work.appendingPathComponent("Samples").path + "\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("mode          csv\necho          off\ntimer         on\n"), r.stdout)
        XCTAssertTrue(r.stderr.contains("<stdin>:6:1: no folder nowhere"), r.stderr)
    }

    /// `~/.clubshrc` never runs for a script or a pipe (the same answers on every machine);
    /// `-init FILE` runs FILE first, and an error in it stops the script.
    /// `.help .NAME` gives every dot command's usage, meaning and an example of it.
    func testEveryDotCommandHasAnExample() throws {
        let usage = try ClubshRun.run(["--help"]).stdout
        let line = try XCTUnwrap(usage.split(separator: "\n").first { $0.contains("dot commands:") })
        let names = line.split(separator: ":")[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertGreaterThan(names.count, 20)
        for name in names {
            let help = try ClubshRun.run(["-c", ".help \(name)"]).stdout
            XCTAssertTrue(help.contains("\n  example: \(name)"), "\(name): \(help)")
        }
    }

    /// `--calendar jalali` as `.calendar jalali`: 2024-03-20 is 1 Farvardin 1403 (Nowruz). A date
    /// literal is read in it; CSV writes the day as an ISO Gregorian date.
    func testCalendarFlag() throws {
        let r = try ClubshRun.run(["--calendar", "jalali", "--mode", "table", "-c", "1403-01-01"])
        XCTAssertEqual(r.stdout, "1403-01-01\n", r.stderr)
        XCTAssertEqual(try ClubshRun.run(["--calendar", "jalali", "--mode", "csv", "-c", "1403-01-01"]).stdout, "value\n2024-03-20\n")
        XCTAssertEqual(try ClubshRun.run(["--calendar", "julian"]).status, 2)
    }

    func testEchoFlagPrintsEachStatementFirst() throws {
        let r = try ClubshRun.run(["--echo", "-c", "1 + 1", "-c", "2 * 3"])
        XCTAssertEqual(r.stdout, "1 + 1\nvalue\n2\n2 * 3\nvalue\n6\n", r.stderr)
    }

    /// `-i` with statements piped in: they run after the `-c` statements, in the prompt's place.
    func testStayingInteractiveReadsAPipeAfterTheStatements() throws {
        let r = try ClubshRun.run(["-i", "-c", "let x = 44"], stdin: "x - 2\n")
        XCTAssertEqual(r.stdout, "value\n42\n", r.stderr)
        XCTAssertEqual(try ClubshRun.run(["-no-init", "-init", "x.club"]).status, 2)
    }

    func testInitFiles() throws {
        let home = try ClubshRun.temporaryFolder("init-home")
        try "let x = 41\n".write(to: home.appendingPathComponent(".clubshrc"), atomically: true, encoding: .utf8)
        let setup = home.appendingPathComponent("setup.club")
        try "let x = 1\n".write(to: setup, atomically: true, encoding: .utf8)
        let plain = try ClubshRun.run(["-c", "x + 1"], environment: ["HOME": home.path])
        XCTAssertEqual(plain.status, 1)
        XCTAssertTrue(plain.stderr.contains("unknown name `x`"), plain.stderr)
        let given = try ClubshRun.run(["-init", setup.path, "-c", "x + 1"], environment: ["HOME": home.path])
        XCTAssertEqual(given.stdout, "value\n2\n", given.stderr)
        let none = try ClubshRun.run(["-no-init", "-c", "x + 1"], environment: ["HOME": home.path])
        XCTAssertEqual(none.status, 1)
        try "x +\n".write(to: setup, atomically: true, encoding: .utf8)
        let broken = try ClubshRun.run(["-init", setup.path, "-c", "1 + 1"], environment: ["HOME": home.path])
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.stdout, "")
    }

    /// `.once FILE`: the next statement's results go to the file; the one after is shown again.
    func testOnceSendsOneResultToAFile() throws {
        let work = try ClubshRun.workspace()
        let r = try ClubshRun.run([], stdin: "load \"Samples/data/orders.csv\"\n.once first.csv\norders | take 2 | select order_id\norders | count\n.once first.csv\n", directory: work)
        XCTAssertEqual(r.stdout, "count\n16405\n", r.stderr)
        XCTAssertEqual(try String(contentsOf: work.appendingPathComponent("first.csv"), encoding: .utf8), "order_id\n1\n2\n")
        // A statement that fails shows nothing: `.once` waits for the next that succeeds.
        let waits = try ClubshRun.run(["--keep-going"], stdin: "load \"Samples/data/orders.csv\"\n.once second.csv\norders | nosuch\norders | count\n", directory: work)
        XCTAssertEqual(waits.stdout, "", waits.stderr)
        XCTAssertEqual(try String(contentsOf: work.appendingPathComponent("second.csv"), encoding: .utf8), "count\n16405\n")
        // An existing file is not replaced without `overwrite`.
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("first.csv"), r.stderr)
    }

    func testFirstErrorStopsWithLocationAndExitCode() throws {
        let r = try clubsh([], stdin: "load \"Fixtures/orders.csv\"\norders | where amout > 1\norders | count\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "", "the statement after the error does not run")
        XCTAssertTrue(r.stderr.hasSuffix("<stdin>:2:16: unknown column `amout`; did you mean `amount`?\n"), r.stderr)
    }

    func testCommandsAndJSONMode() throws {
        let r = try clubsh(["--mode", "json", "-c", "load \"Fixtures/orders.csv\"", "-c", "orders | agg n = count() by channel"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "[\n{\"channel\":\"web\",\"n\":3},\n{\"channel\":\"app\",\"n\":1},\n{\"channel\":\"store\",\"n\":1}\n]\n")
    }

    func testScriptFileErrorNamesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("bad.club")
        try "let x = 1\n\nlet y = x +\n".write(to: script, atomically: true, encoding: .utf8)
        let r = try clubsh([script.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasSuffix("\(script.path):3:12: the statement ends where a value was expected\n"), r.stderr)
    }

    /// A script or notebook that cannot be read says why: missing, a folder, not UTF-8.
    func testUnreadableScriptsSayWhy() throws {
        let missing = try clubsh(["missing.club"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "clubsh: cannot read missing.club: no such file\n")
        let folder = try clubsh(["-c", ".read Fixtures"])
        XCTAssertEqual(folder.status, 1)
        XCTAssertTrue(folder.stderr.contains("cannot read Fixtures: is a directory"), folder.stderr)
        let notebook = try clubsh(["check", "missing.md"])
        XCTAssertEqual(notebook.status, 1)
        XCTAssertEqual(notebook.stderr, "clubsh: cannot read missing.md: no such file\n")
        let dir = try ClubshRun.temporaryFolder()
        try Data([0x6C, 0x65, 0x74, 0x20, 0xE9, 0x0A]).write(to: dir.appendingPathComponent("latin1.club"))
        let latin1 = try clubsh(["latin1.club"], directory: dir)
        XCTAssertEqual(latin1.stderr, "clubsh: cannot read latin1.club: is not UTF-8 text\n")
    }

    func testReadRunsAnotherScript() throws {
        // A golden script is an ordinary script: its expectations are comments.
        let script = Self.testsDirectory.appendingPathComponent("Golden/spend.club").path
        let r = try clubsh(["-c", ".read \(script)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("customer_id,name,orders,spend\n10,Sara,2,420.5\n"), r.stdout)
    }

    func testHelpVersionAndUsageErrors() throws {
        let help = try clubsh(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.hasPrefix("usage: clubsh [options] [FILE.club …]"))
        let version = try clubsh(["--version"])
        XCTAssertEqual(version.stdout, "clubsh 0.1.0\n")
        let bad = try clubsh(["--mdoe", "csv"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr, "clubsh: unknown option --mdoe; did you mean --mode?\nTry clubsh --help.\n")
    }

    func testLoadErrorNamesFileLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("bad.csv").path
        try "a,b\n1,2\n3,4,5\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try clubsh(["-c", "load \"\(csv)\""])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c#1:1:1: cannot load \(csv):3:5: row has 3 fields but the header has 2\n")
    }

    func testTheTourRunsToTheEnd() throws {
        let work = try ClubshRun.workspace()
        let r = try clubsh(["Samples/tour.club"], directory: work)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("exported 118 rows to out/vip_orders.csv"), r.stderr)
        XCTAssertEqual(try String(contentsOf: work.appendingPathComponent("out/vip_orders.csv"), encoding: .utf8).split(separator: "\n").count, 119)
        // The tour echoes each statement, so a newcomer sees which table answers which step.
        XCTAssertTrue(r.stdout.hasPrefix("load \"Samples/data/orders.csv\"\n"), String(r.stdout.prefix(200)))
        XCTAssertTrue(r.stdout.contains("tables\nname,kind,rows,columns,bytes\n"), String(r.stdout.prefix(400)))
    }
}
