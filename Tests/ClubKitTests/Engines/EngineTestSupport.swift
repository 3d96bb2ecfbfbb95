import Foundation
import XCTest
@testable import ClubKit

/// Where the engine tests find their engines: `scripts/engines run swift test` starts a
/// throw-away PostgreSQL and sets these; without them the engine tests skip.
enum EngineTestEnvironment {
    static let postgres = ProcessInfo.processInfo.environment["CLUBSH_PG"].flatMap { $0.isEmpty ? nil : $0 }
    static let spark = ProcessInfo.processInfo.environment["CLUBSH_SPARK"].flatMap { $0.isEmpty ? nil : $0 }
    static let howTo = "run `scripts/engines run swift test` to start a throw-away PostgreSQL and Spark for them"

    /// The one line said when an engine's tests skip.
    static func skip(_ engine: String, variable: String) -> XCTSkip {
        XCTSkip("\(engine) tests skipped: \(variable) is not set; \(howTo)")
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
