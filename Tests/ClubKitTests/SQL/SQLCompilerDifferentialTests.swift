import Foundation
import XCTest
@testable import ClubKit

/// Pipelines run by clubsh in memory and, compiled by `SQLCompiler`, by an SQL engine over the
/// same tables: the answers must agree, row for row and in order.
///
/// Three kinds of pipeline: the differential generator's random ones (`DGenerator`, every step
/// and operator), every scalar function and aggregate over every column it takes
/// (systematic), and hand-written edge cases over a small table of nulls, negative numbers,
/// ties, empty text, month ends and 64-bit edges. The engine is a closure (`SQLEngine`):
/// SQLite through `sqlite3`, DuckDB through Python when it is there.
final class SQLCompilerDifferentialTests: XCTestCase {
    static let seed: UInt64 = 20_261_203
    static let rounds = 3
    static let pipelinesPerRound = 80

    func testCompiledPipelinesAgreeInSQLite() throws {
        let outcome = try Self.agreement(SQLEngine.sqlite())
        // SQLite's upper() and lower() change A–Z only, and its length() counts code points:
        // refused by name, never a different answer.
        XCTAssertFalse(outcome.refused.isEmpty)
        for message in outcome.refused {
            XCTAssertTrue(["`lower`", "`upper`", "`len`"].contains { message.hasPrefix($0) } && message.contains("SQLite"), message)
        }
        // A sum past 64 bits: SQLite stops with an error rather than give a wrong total.
        XCTAssertEqual(outcome.erred.map(\.message), ["integer overflow"])
    }

    func testCompiledPipelinesAgreeInDuckDB() throws {
        let outcome = try Self.agreement(SQLEngine.duckdb())
        XCTAssertEqual(outcome.refused, [])
        // An integer `+` past 64 bits: DuckDB stops with an error (clubsh gives null).
        XCTAssertEqual(outcome.erred.count, 1)
        XCTAssertTrue(outcome.erred.allSatisfy { $0.message.contains("Overflow") }, "\(outcome.erred)")
    }

    /// Every pipeline compared in `engine` (skipped, saying why, when there is none): at least
    /// 200, none disagreeing. What the engine refused or stopped on is left to the caller.
    static func agreement(_ found: (SQLEngine?, String)) throws -> Outcome {
        guard let engine = found.0 else { throw XCTSkip(found.1) }
        let outcome = try compare(engine)
        print("compiled SQL: \(outcome.cases) pipelines agree with \(engine.name)")
        XCTAssertGreaterThanOrEqual(outcome.cases, 200)
        XCTAssertEqual(outcome.problems.count, 0, outcome.problems.prefix(8).joined(separator: "\n\n"))
        return outcome
    }

    struct Outcome {
        var cases = 0
        var problems: [String] = []
        /// Messages of pipelines the compiler refused for the dialect, naming the function.
        var refused: [String] = []
        /// Overflow cases (`overflowing`) the engine stopped with an error.
        var erred: [SQLite3Shell.QueryError] = []
    }

    /// Cases where clubsh gives null for a result past 64 bits and an engine may stop instead.
    static let overflowing: Set<String> = ["e | agg big = sum(b) by g", "e | select r = b - 1, q = b + 1"]

    /// Every kind of pipeline against one engine.
    static func compare(_ engine: SQLEngine) throws -> Outcome {
        var outcome = Outcome()
        for round in 0..<rounds {
            var rng = SeededGenerator(seed: seed &+ UInt64(round) &* 0x9E37_79B9)
            let generated = DTables.make(&rng), tables = generated + [edges]
            let (session, cleanup) = try DifferentialTests.load(tables)
            defer { cleanup() }
            // The edges are for the hand-written cases: the generator keeps to moderate numbers.
            var generator = DGenerator(seed: rng.next(), sources: generated.map(\.source), math: true)
            for p in generator.parameters { try session.runAll("let \(p.name) = \(DClubsh.literal(p.value))") }
            var texts = (0..<pipelinesPerRound).map { _ in DClubsh.text(generator.pipeline()) }
            if round == 0 { texts += systematic + handWritten }
            try compare(texts, session: session, tables: tables, engine: engine, into: &outcome)
        }
        return outcome
    }

    /// Runs each pipeline in clubsh and, compiled, in the engine, noting each disagreement.
    static func compare(_ texts: [String], session: Session, tables: [DTable], engine: SQLEngine, into outcome: inout Outcome) throws {
        var compiled: [(text: String, table: Table, sql: String)] = []
        for text in texts {
            // A pipeline clubsh refuses (a generated one may be) is not compared.
            guard let table = try? session.query(text) else { continue }
            do {
                compiled.append((text, table, try session.compileSQL(text, dialect: engine.dialect, tableName: engine.tableName)))
            } catch where error.message.contains("cannot be compiled to") {
                outcome.refused.append(error.message)
            } catch {
                outcome.problems.append("\(text)\ndoes not compile for \(engine.dialect): \(error.message)")
            }
        }
        let answers = try engine.run(tables, compiled.map(\.sql))
        for (c, answer) in zip(compiled, answers) {
            outcome.cases += 1
            switch answer {
            case .failure(let e) where overflowing.contains(c.text):
                outcome.erred.append(SQLite3Shell.QueryError(message: e.message.components(separatedBy: ": ").last ?? e.message))
            case .failure(let e):
                outcome.problems.append("\(c.text)\n\(engine.name) refused: \(e.message)\nSQL: \(SQLEngine.oneLine(c.sql))")
            case .success(let rows):
                if let problem = sqlProblem(c.table, rows) {
                    outcome.problems.append("\(c.text)\n\(problem)\nSQL: \(SQLEngine.oneLine(c.sql))")
                }
            }
        }
    }

    /// A small table of edges: nulls, negatives, ties, empty text, month ends and leap days,
    /// integers near 2^63.
    static let edges: DTable = {
        let columns = [
            DCol(name: "i", type: .int, bound: 0), DCol(name: "g", type: .string, bound: 0), DCol(name: "x", type: .double, bound: 0),
            DCol(name: "d", type: .date, bound: 0), DCol(name: "b", type: .int, bound: 0), DCol(name: "s", type: .string, bound: 0),
            DCol(name: "ok", type: .bool, bound: 0), DCol(name: "at", type: .datetime, bound: 0),
        ]
        let day = { (y: Int, m: Int, d: Int) in DLit.date(DCivil.days(y, m, d)) }
        let at = { (y: Int, m: Int, d: Int, s: Int64) in DLit.datetime(Int64(DCivil.days(y, m, d)) * 86400 + s) }
        let rows: [[DLit]] = [
            [.int(1), .string("a"), .cents(-250), day(2024, 1, 31), .int(9_223_372_036_854_775_807), .string(""), .bool(true), at(2024, 1, 31, 3600)],
            [.int(2), .string("b"), .cents(250), day(2024, 2, 29), .int(-9_223_372_036_854_775_807), .string("Zoë"), .bool(false), at(2024, 2, 29, 0)],
            [.int(-3), .string("a"), .cents(150), day(2023, 12, 31), .int(5), .string("zoë"), .null, at(2023, 12, 31, 86399)],
            [.null, .string(""), .null, .null, .null, .null, .null, .null],
            [.int(2), .string("b"), .cents(-150), day(2024, 3, 31), .int(-5), .string("a\nb"), .bool(true), at(2024, 3, 31, 43200)],
            [.int(0), .null, .cents(0), day(2023, 1, 1), .int(0), .string("it's"), .bool(false), at(2023, 1, 1, 60)],
            [.int(-3), .string("a"), .cents(150), day(2020, 2, 29), .int(7), .string("a"), .bool(true), at(2020, 2, 29, 7200)],
            [.int(4), .string("c"), .cents(1), day(2024, 12, 31), .int(-7), .string("a"), .null, at(2024, 12, 31, 1)],
        ]
        return DTable(name: "e", columns: columns, rows: rows).withSamples
    }()

    /// Every scalar function over every column of `e` it takes, and every aggregate over every
    /// column it takes, alone and by a key.
    static var systematic: [String] {
        var out: [String] = []
        let numbers = ["i", "x", "(i - 1)", "(x * 2)"], dates = ["d", "at"], texts = ["g", "s"]
        for n in numbers {
            for f in ["abs", "floor", "ceil", "round", "sqrt", "ln", "exp"] { out.append("e | select r = \(f)(\(n))") }
            out.append("e | select r = round(\(n), 1), q = round(\(n), -1), z = pow(\(n), 2), h = pow(\(n), 0.5)")
            out.append("e | select r = \(n) / 2, q = \(n) % 2, z = \(n) / 0, w = \(n) % 0, m = \(n) % -1")
        }
        for d in dates {
            for f in ["year", "quarter", "month", "day", "weekday", "month_start", "year_start", "month_name"] { out.append("e | select r = \(f)(\(d))") }
            out.append("e | select r = days_between(\(d), 2024-03-01), q = days_between(2024-03-01, \(d)), z = days_since(\(d))")
            for shift in ["1mo", "1y", "13mo", "2w", "10d"] {
                out.append("e | select r = \(d) + \(shift), q = \(d) - \(shift)")
            }
        }
        out.append("e | select r = d + i, q = d - i")
        out.append("e | select r = d - 2024-01-01, q = at - 2024-01-01T00:00")
        for t in texts {
            for f in ["lower", "upper", "len"] { out.append("e | select r = \(f)(\(t))") }
            out.append("e | select r = contains(\(t), \"a\"), q = starts_with(\(t), \"\"), z = \(t) + \"!\", w = contains(\(t), g)")
        }
        let aggregates = ["count", "count_distinct", "sum", "avg", "min", "max", "median", "stddev", "first", "last", "mode"]
        let columns: [(name: String, numeric: Bool)] = [("i", true), ("x", true), ("g", false), ("s", false), ("d", false), ("ok", false), ("at", false)]
        for f in aggregates {
            for c in columns where c.numeric || !["sum", "avg", "median", "stddev"].contains(f) {
                for by in ["", " by g", " by ok, g"] { out.append("e | agg r = \(f)(\(c.name))\(by)") }
            }
        }
        for p in ["0", "0.1", "0.25", "0.9", "1"] { out.append("e | agg r = percentile(x, \(p)), q = percentile(i, \(p)) by g") }
        return out
    }

    /// Edge cases written by hand.
    static let handWritten: [String] = [
        "e",
        "e | where i > 0",
        "e | where not ok",
        "e | where ok or i < 0",
        "e | where i in [1, 2, null]",
        "e | where i not in [1, 2]",
        "e | where g in [\"a\", \"\"]",
        "e | where s == \"\"",
        "e | where i between -3 and 1",
        "e | where d >= \"2024-01-01\"",
        "e | where at > 2024-02-29",
        "e | where d == at",
        "e | where x is null",
        "e | where g is not null and x > -1",
        "e | sort i",
        "e | sort i desc",
        "e | sort g, x desc",
        "e | sort s",
        "e | sort d desc, at",
        "e | top 3 by x",
        "e | top 2 by i asc",
        "e | take 0",
        "e | take 100",
        "e | distinct",
        "e | distinct g",
        "e | distinct g, ok",
        "e | count",
        "e | where i > 100 | count",
        "e | where i > 100 | agg n = count(), s = sum(x), m = min(d), f = first(g), md = median(x)",
        "e | agg n = count(), total = sum(x), mean = avg(x) by g",
        "e | agg n = count() by ok",
        "e | agg n = count() by g | sort n desc",
        "e | agg spend = sum(x) / count(), ratio = sum(i) / count(i) by g",
        "e | agg m = mode(i), f = first(s), l = last(s) by g",
        "e | agg m = mode(g)",
        "e | agg lo = min(s), hi = max(s), lo_d = min(at), hi_d = max(at)",
        "e | agg big = sum(b) by g",
        "e | derive y = i * 2, z = y + 1",
        "e | derive i = i + 1 | select i, g",
        "e | select g, n = i | derive n = n * n",
        "e | select r = if(ok, i, x), q = if(i > 0, d, at), z = coalesce(x, i, 0), w = coalesce(g, s, \"none\")",
        "e | select r = -i, q = -x, z = not ok",
        "e | select r = i + 0.5, q = i * x, z = x - i",
        "e | select r = b - 1, q = b + 1",
        "e | select r = 7 / 2, q = -7 % 3, z = 7 % -3, w = -7.5 % 2",
        "e | select r = days_since(d) > 6mo, q = at + 1mo",
        "e | select r = g + s",
        "t | select r = len(s), q = upper(s), z = lower(c)",
        "e | join e on i",
        "e | left join e on g == s",
        "e | join e on d == at",
        "e | left join e on i == b | select i, g, b",
        "e | agg n = count() by g | join e on g | sort g, i",
        "e | where i > 0 | agg n = count(), x = sum(x) by g | where n > 1 | sort x desc | take 1",
    ]
}
