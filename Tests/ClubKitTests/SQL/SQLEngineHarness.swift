import Foundation
import XCTest
@testable import ClubKit

/// An engine that runs SQL compiled by clubsh: its dialect, how its tables are named, and a
/// closure that creates the differential tables in a fresh database and runs each query,
/// giving each query's rows (in `SQLite3Shell.Scalar`s: true/false as 1/0, dates and
/// date-times as ISO text) or its error.
///
/// SQLite (through the `sqlite3` shell) and DuckDB (through Python) are here; an engine of a
/// warehouse is one more value of this type.
struct SQLEngine {
    typealias Rows = Result<[[SQLite3Shell.Scalar]], SQLite3Shell.QueryError>

    var name: String
    var dialect: SQLDialect
    var run: (_ tables: [DTable], _ queries: [String]) throws -> [Rows]

    /// The name of a loaded table in the engine.
    func tableName(_ name: String) -> String { dialect.quote(name) }

    /// The compiled SQL on one line: comments dropped, lines joined (literals never span lines).
    static func oneLine(_ sql: String) -> String {
        sql.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// `sqlite3` on an in-memory database; nil (and why) when it is missing or too old.
    static func sqlite() -> (SQLEngine?, String) {
        guard let shell = SQLite3Shell.find() else { return (nil, "sqlite3 not found (set CLUBSH_SQLITE3 or put it on the PATH)") }
        guard let version = shell.version, version >= (3, 35), shell.hasMathFunctions else {
            return (nil, "sqlite3 at \(shell.path) is older than 3.35 or lacks its math functions")
        }
        let engine = SQLEngine(name: "sqlite3", dialect: .sqlite) { tables, queries in
            try shell.results(setup: tables.map(\.sql).joined(), queries: queries.map { oneLine($0) })
        }
        return (engine, "")
    }

    /// DuckDB through `/tmp/venv/bin/python` (or `$CLUBSH_DUCKDB_PYTHON`); nil when it cannot
    /// import duckdb.
    static func duckdb() -> (SQLEngine?, String) {
        let python = ProcessInfo.processInfo.environment["CLUBSH_DUCKDB_PYTHON"] ?? "/tmp/venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? PythonDuckDB(python: python).run(setup: [], queries: ["SELECT 1"]).count) == 1 else {
            return (nil, "DuckDB not tested: \(python) cannot import duckdb")
        }
        let runner = PythonDuckDB(python: python)
        let engine = SQLEngine(name: "duckdb", dialect: .duckdb) { tables, queries in
            try runner.run(setup: tables.map { $0.createSQL(.duckdb) }, queries: queries)
        }
        return (engine, "")
    }
}

extension DTable {
    /// CREATE TABLE and INSERT for a dialect with real types (DATE, TIMESTAMP, BOOLEAN), rows in
    /// file order.
    func createSQL(_ dialect: SQLDialect) -> String {
        // The two type enums share their names.
        func type(_ t: DType) -> DataType { DataType(rawValue: t.rawValue) ?? .string }
        func literal(_ l: DLit) -> String {
            switch l {
            case .null: return "NULL"
            case .int(let v): return String(v)
            case .cents(let c): return DLit.centsText(c)
            case .bool(let b): return b ? "TRUE" : "FALSE"
            case .date(let d): return "DATE '\(DCivil.text(d))'"
            case .datetime(let t): return "TIMESTAMP '\(DCivil.text(seconds: t))'"
            case .string(let s): return dialect.string(s)
            }
        }
        var out = "CREATE TABLE \(dialect.quote(name)) (\(columns.map { "\(dialect.quote($0.name)) \(dialect.typeName(type($0.type)))" }.joined(separator: ", ")))"
        guard !rows.isEmpty else { return out }
        out += "; INSERT INTO \(dialect.quote(name)) VALUES "
        out += rows.map { "(\($0.map(literal).joined(separator: ", ")))" }.joined(separator: ", ")
        return out
    }
}

/// DuckDB through its Python package: statements in, rows out as JSON, one process per batch.
struct PythonDuckDB {
    let python: String

    static let script = #"""
import duckdb, json, sys, datetime, math
job = json.load(open(sys.argv[1]))
con = duckdb.connect()
for s in job["setup"]:
    con.execute(s)
def cell(v):
    if v is None: return None
    if isinstance(v, bool): return {"i": int(v)}
    if isinstance(v, int): return {"i": v}
    if isinstance(v, float):
        if math.isnan(v): return {"t": "NaN"}
        if math.isinf(v): return {"r": "inf" if v > 0 else "-inf"}
        return {"r": repr(v)}
    if isinstance(v, datetime.datetime): return {"t": v.strftime("%Y-%m-%d %H:%M:%S")}
    if isinstance(v, datetime.date): return {"t": v.isoformat()}
    return {"t": str(v)}
out = []
for q in job["queries"]:
    try:
        out.append({"rows": [[cell(v) for v in row] for row in con.execute(q).fetchall()]})
    except Exception as e:
        out.append({"error": str(e).splitlines()[0] if str(e) else type(e).__name__})
json.dump(out, open(sys.argv[2], "w"))
"""#

    func run(setup: [String], queries: [String]) throws -> [SQLEngine.Rows] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clubsh-duckdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (scriptURL, job, answer) = (dir.appendingPathComponent("run.py"), dir.appendingPathComponent("job.json"), dir.appendingPathComponent("out.json"))
        try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: ["setup": setup, "queries": queries]).write(to: job)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptURL.path, job.path, answer.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let results = try JSONSerialization.jsonObject(with: Data(contentsOf: answer)) as? [[String: Any]] else {
            throw SQLite3Shell.QueryError(message: "duckdb through \(python) failed (exit \(process.terminationStatus))")
        }
        return results.map { r -> SQLEngine.Rows in
            if let e = r["error"] as? String { return .failure(SQLite3Shell.QueryError(message: e)) }
            let rows = (r["rows"] as? [[Any]]) ?? []
            return .success(rows.map { $0.map(Self.scalar) })
        }
    }

    private static func scalar(_ v: Any) -> SQLite3Shell.Scalar {
        guard let d = v as? [String: Any] else { return .null }
        if let i = d["i"] as? NSNumber { return .integer(i.int64Value) }
        // A double as Python's shortest text, read back exactly (a JSON number may not be).
        if let r = d["r"] as? String { return .real(r == "inf" ? .infinity : r == "-inf" ? -.infinity : Double(r) ?? .nan) }
        return .text(d["t"] as? String ?? "")
    }
}

/// What differs between clubsh's table and an engine's rows, or nil: same row count and order,
/// each cell as `DComparison.Cell` compares them.
func sqlProblem(_ table: Table, _ rows: [[SQLite3Shell.Scalar]]) -> String? {
    if table.rowCount != rows.count { return "clubsh has \(table.rowCount) rows, the engine \(rows.count)" }
    for i in 0..<rows.count {
        guard rows[i].count == table.columns.count else { return "engine row \(i) has \(rows[i].count) values, clubsh \(table.columns.count)" }
        for (j, column) in table.columns.enumerated() {
            let mine = DComparison.Cell(column.value(at: i)), theirs = DComparison.Cell(rows[i][j])
            if !mine.matches(theirs) { return "row \(i), column \(table.columnNames[j]): clubsh \(mine), engine \(theirs)" }
        }
    }
    return nil
}
