import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What clubsh shows on a real terminal (a pseudo-terminal of a chosen width): tables fitted to
/// its width, and long help paged.
final class TerminalDisplayTests: XCTestCase {
    typealias Prompt = PseudoTerminalTests.Prompt
    private var home: String!
    private var work: String!

    override func setUpWithError() throws {
        home = try ClubshRun.temporaryFolder("pty-home").path
        work = try ClubshRun.workspace().path
    }

    /// clubsh at the prompt in a terminal `columns` wide, with the sample orders loaded.
    private func start(columns: UInt16, environment: [String: String?] = [:]) throws -> Prompt {
        let p = try Prompt(home: home, directory: work, columns: columns, environment: environment)
        XCTAssertTrue(p.wait(for: "]> "), "no prompt: \(p.plain)")
        p.type("load \"Samples/data/orders.csv\"\r")
        XCTAssertTrue(p.wait(for: "]> ", after: "loaded orders"), p.plain)
        p.forget()
        return p
    }

    /// The lines of the box clubsh printed, as the bytes went out (a terminal wraps a longer one).
    private func boxLines(_ screen: String) -> [Substring] {
        screen.split(separator: "\n").filter { ["┌", "│", "├", "└"].contains($0.first.map(String.init) ?? "") }
    }

    func testAWideTableFitsTheTerminal() throws {
        let p = try start(columns: 60)
        defer { p.close() }
        // The whole box is 1 + 11 + 14 + 13 + 10 + 10 + 8 + 14 + 14 = 95 wide at least. In 60,
        // beside the `…` column (4): order_id 11, customer_id 14, product 14 ("Leather bag") and
        // category 14 ("Electronics") = 1 + 11 + 14 + 4 + 14 + 14 = 58; items would make 66.
        p.type("orders\r")
        XCTAssertTrue(p.wait(for: "16,405 rows (20 shown), 8 columns (4 shown)"), p.plain)
        XCTAssertTrue(p.plain.contains("│ order_id │ customer_id │ … │ product     │ category    │\n"), p.plain)
        let lines = boxLines(p.plain)
        XCTAssertEqual(lines.count, 4 + 21 + 1, "top, names, types, rule, 20 rows and the `…` row, bottom: \(p.plain)")
        for line in lines { XCTAssertEqual(line.count, 58, String(line)) }

        // A wider terminal (as after resizing the window) shows every column.
        var size = winsize(ws_row: 40, ws_col: 140, ws_xpixel: 0, ws_ypixel: 0)
        XCTAssertEqual(ioctl(p.fd, UInt(TIOCSWINSZ), &size), 0)
        p.forget()
        p.type("orders | take 2\r")
        XCTAssertTrue(p.wait(for: "2 rows\n"), p.plain)
        XCTAssertTrue(p.plain.contains("│ order_id │ customer_id │ date       │ amount │ channel │ items │ product │ category │\n"), p.plain)
    }

    /// At a terminal `.color on` gives colours back after `.color off`, but never under NO_COLOR.
    func testColorOnAtATerminalHonoursNoColor() throws {
        let bold = "\u{1B}[1morder_id"
        let colourful = try start(columns: 100, environment: ["NO_COLOR": nil])
        defer { colourful.close() }
        colourful.type(".color off\r.color on\rorders | take 1\r")
        XCTAssertTrue(colourful.wait(for: "1 row\n"), colourful.plain)
        XCTAssertTrue(colourful.screen.contains(bold), colourful.screen)

        let plain = try start(columns: 100, environment: ["NO_COLOR": "1"])
        defer { plain.close() }
        plain.type(".color on\r")
        XCTAssertTrue(plain.wait(for: "NO_COLOR is set, so colours stay off"), plain.plain)
        plain.type("orders | take 1\r")
        XCTAssertTrue(plain.wait(for: "1 row\n"), plain.plain)
        XCTAssertFalse(plain.screen.contains(bold), plain.screen)
    }

    /// `help` is about 100 lines, more than the terminal's 40: it goes through `$PAGER`.
    func testHelpGoesThroughThePager() throws {
        let p = try start(columns: 140, environment: ["PAGER": "sed 's/^/paged: /'"])
        defer { p.close() }
        p.type("help\r")
        XCTAssertTrue(p.wait(for: "paged: Statements end at a newline"), p.plain)
        XCTAssertTrue(p.plain.contains("paged: Start with the tour"), p.plain)
        XCTAssertTrue(p.wait(for: "]> ", after: "paged: Statements end"), "the prompt comes back: \(p.plain)")
        // A topic fits on the screen: printed as it is.
        p.forget()
        p.type("help where\r")
        XCTAssertTrue(p.wait(for: "example: orders | where"), p.plain)
        XCTAssertFalse(p.plain.contains("paged:"), p.plain)
    }

    /// Without `$PAGER`, `less -FRX`: one screen, then `q` back to the prompt.
    func testHelpWithoutPagerUsesLess() throws {
        let places: [String] = ["/usr/bin/less", "/bin/less", "/usr/local/bin/less", "/opt/homebrew/bin/less"]
        guard places.contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("less is not installed")
        }
        let p = try start(columns: 140, environment: ["PAGER": nil])
        defer { p.close() }
        p.type("help\r")
        XCTAssertTrue(p.wait(for: "Start with the tour"), p.plain)
        // less waits with the rest unread: the last line of help is not on the screen yet.
        Thread.sleep(forTimeInterval: 0.5)
        _ = p.wait(for: "never shown", timeout: 0.5)
        XCTAssertFalse(p.plain.contains("Statements end at a newline"), p.plain)
        p.type("q")
        p.forget()
        p.type("1 + 1\r")
        XCTAssertTrue(p.wait(for: "]> ", after: "2\n"), "the prompt comes back after q: \(p.plain)")
    }

    /// Off a terminal help is printed whole, whatever `$PAGER` says.
    func testOffATerminalHelpIsPrinted() throws {
        let r = try ClubshRun.run(["-c", "help"], environment: ["PAGER": "sed 's/^/paged: /'"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("Start with the tour"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("`#` starts a comment.\n"), r.stdout)
        XCTAssertFalse(r.stdout.contains("paged:"), r.stdout)
    }

    /// A pager that cannot be started: the shell says so and the help is printed.
    func testAMissingPagerPrintsTheHelp() throws {
        let p = try start(columns: 140, environment: ["PAGER": "no-such-pager-for-clubsh"])
        defer { p.close() }
        p.type("help\r")
        XCTAssertTrue(p.wait(for: "Statements end at a newline"), p.plain)
        XCTAssertTrue(p.plain.contains("no-such-pager-for-clubsh"), "the shell's complaint: \(p.plain)")
        XCTAssertTrue(p.plain.contains("Start with the tour"), p.plain)
    }

    /// Tab completes a file name in the home folder after `~/`, as `load` reads it.
    func testTabCompletesAfterTilde() throws {
        try "a,b\n1,2\n".write(toFile: home + "/club-orders-2024.csv", atomically: true, encoding: .utf8)
        let p = try start(columns: 100)
        defer { p.close() }
        p.type("load \"~/club-or\t")
        // The completion closes the quote.
        XCTAssertTrue(p.wait(for: "load \"~/club-orders-2024.csv\""), p.plain)
        p.type("\r")
        XCTAssertTrue(p.wait(for: "loaded club_orders_2024: 1 row × 2 columns from ~/club-orders-2024.csv"), p.plain)
    }

    func testMaxwidthAndColumnsAtThePrompt() throws {
        let p = try start(columns: 60)
        defer { p.close() }
        p.type(".maxwidth 30\r")
        XCTAssertTrue(p.wait(for: "]> ", after: ".maxwidth 30"), p.plain)
        p.forget()
        // In 30: order_id 11 and category 11 ("Home") beside the `…` column: 1 + 11 + 4 + 11 = 27;
        // product (10) would make 37.
        p.type("orders | take 1\r")
        XCTAssertTrue(p.wait(for: "1 row, 8 columns (2 shown)"), p.plain)
        XCTAssertTrue(p.plain.contains("│ order_id │ … │ category │\n"), p.plain)
        p.type(".maxwidth 0\r.columns on\r")
        XCTAssertTrue(p.wait(for: "]> ", after: ".columns on"), p.plain)
        p.forget()
        // Every column of the second order (customer 523), as a list.
        p.type("orders | take 2\r")
        XCTAssertTrue(p.wait(for: "2 rows\n"), p.plain)
        XCTAssertTrue(p.plain.contains("─[ row 2 ]"), p.plain)
        XCTAssertTrue(p.plain.contains("customer_id  int    │ 523\n"), p.plain)
        XCTAssertTrue(p.plain.contains("date         date   │ 2023-01-01\n"), p.plain)
    }
}
