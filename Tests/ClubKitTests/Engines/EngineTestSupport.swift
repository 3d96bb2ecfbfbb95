import Foundation
import XCTest
@testable import ClubKit

/// Where the engine tests find their engines: `scripts/engines run swift test` starts a
/// throw-away PostgreSQL and sets these; without them the engine tests skip.
enum EngineTestEnvironment {
    static let postgres = ProcessInfo.processInfo.environment["CLUBSH_PG"].flatMap { $0.isEmpty ? nil : $0 }
    static let spark = ProcessInfo.processInfo.environment["CLUBSH_SPARK"].flatMap { $0.isEmpty ? nil : $0 }
    static let howTo = "run `scripts/engines run swift test` to start a throw-away PostgreSQL and Spark for them"

    /// An engine test's skip: a few words in the test's own line, and the way to run them said
    /// once in the whole log (the first time a test skips).
    static func skip(_ engine: String, variable: String) -> XCTSkip {
        _ = explained
        return XCTSkip("needs \(engine) (\(variable))")
    }

    /// The one line that says why the engine tests skip and how to run them.
    private static let explained: Void = {
        let unset = [("CLUBSH_PG", postgres), ("CLUBSH_SPARK", spark)].filter { $0.1 == nil }.map(\.0)
        print("engine tests: \(unset.joined(separator: " and ")) \(unset.count == 1 ? "is" : "are") not set, so the tests that need \(unset.count == 1 ? "it" : "them") skip; \(howTo)")
    }()

    /// Every clubsh type, with nulls, and strings with quotes, commas, a tab, a `;` and `--`
    /// (which an engine's command line might take for the end of a statement or a comment)
    /// and Persian letters.
    static let awkward = """
    id,amount,ok,day,at,name
    1,12.5,true,2024-01-05,2024-01-05 10:20:30,"a ""quoted"", text"
    2,,false,,,
    3,-0.001,,1999-12-31,2000-01-01 00:00:00,سلام
    4,1e300,true,2024-02-29,,"tab\there; -- not a comment"
    """

    /// `awkward` as it must come back from an engine: the values written above, in order.
    static func checkAwkward(_ back: Table, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(back.schema.fields.map(\.type), [.int, .double, .bool, .date, .datetime, .string], file: file, line: line)
        XCTAssertEqual(back.values("id"), [.int(1), .int(2), .int(3), .int(4)], file: file, line: line)
        XCTAssertEqual(back.values("amount"), [.double(12.5), .null, .double(-0.001), .double(1e300)], file: file, line: line)
        XCTAssertEqual(back.values("ok"), [.bool(true), .bool(false), .null, .bool(true)], file: file, line: line)
        XCTAssertEqual(back.strings("day"), ["2024-01-05", "null", "1999-12-31", "2024-02-29"], file: file, line: line)
        // 2024-01-05 10:20:30 UTC = 19727 days × 86400 + 37230 s; 2000-01-01 = 10957 days.
        XCTAssertEqual(back.values("at"), [.dateTime(1_704_450_030), .null, .dateTime(946_684_800), .null], file: file, line: line)
        XCTAssertEqual(back.values("name"), [.string("a \"quoted\", text"), .null, .string("سلام"), .string("tab\there; -- not a comment")], file: file, line: line)
    }

    /// A new PostgreSQL schema of the test server, so tests never see each other's tables, and
    /// the connection string that makes it the current schema.
    static func freshSchema(_ conninfo: String) throws -> String {
        let schema = "t_" + UUID().uuidString.prefix(8).lowercased()
        let engine = try PostgresEngine(conninfo)
        defer { engine.close() }
        _ = try engine.query("CREATE SCHEMA \(schema)", isCancelled: { false })
        return "\(conninfo) options='-csearch_path=\(schema)'"
    }

    /// Runs SQL on the test server in the schema of `conninfo`, outside clubsh.
    static func sql(_ conninfo: String, _ statement: String) throws {
        let engine = try PostgresEngine(conninfo)
        defer { engine.close() }
        _ = try engine.query(statement, isCancelled: { false })
    }
}

extension EngineError: CustomStringConvertible {
    public var description: String { message }
}

/// A flag a test raises to stand for Ctrl-C.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    var isRaised: Bool { lock.withLock { raised } }
    func raise(after seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { self.lock.withLock { self.raised = true } }
    }
    func lower() { lock.withLock { raised = false } }
}
