import Foundation
@testable import ClubKit

/// Compares clubsh's result with sqlite3's under clubsh's documented semantics:
/// - the column names and types are the ones docs/language.md gives (worked out in the model);
/// - rows in order (DSQL's `_o` carries the order clubsh promises);
/// - numbers within a relative and absolute tolerance of 1e-9 unless both are integers (clubsh
///   sums doubles with compensation, sqlite3 plainly); an int/int division is a double;
/// - true/false as sqlite3's 1/0, dates as ISO text;
/// - text by its bytes, as both engines compare it: "café" with a combining accent is not the
///   text "café" with "é" (docs/language.md, "Expressions").
enum DComparison {
    /// A value in a form both sides can be read into.
    enum Cell: CustomStringConvertible {
        case null
        case number(Double, exact: Int64?)
        case text(String)

        init(_ v: Value) {
            switch v {
            case .null: self = .null
            case .int(let x): self = .number(Double(x), exact: x)
            case .double(let x): self = .number(x, exact: nil)
            case .bool(let b): self = .number(b ? 1 : 0, exact: b ? 1 : 0)
            case .date(let d): self = .text(DCivil.text(Int(d)))
            case .dateTime(let t): self = .text(DCivil.text(seconds: t))
            case .string(let s): self = .text(s)
            default: self = .text("\(v)")
            }
        }

        init(_ s: SQLite3Shell.Scalar) {
            switch s {
            case .null: self = .null
            case .integer(let x): self = .number(Double(x), exact: x)
            case .real(let x): self = .number(x, exact: nil)
            case .text(let t): self = .text(t)
            }
        }

        func matches(_ other: Cell) -> Bool {
            switch (self, other) {
            case (.null, .null): return true
            case (.text(let a), .text(let b)): return a.utf8.elementsEqual(b.utf8)
            case let (.number(_, x?), .number(_, y?)): return x == y
            case let (.number(a, _), .number(b, _)):
                return a == b || abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
            default: return false
            }
        }

        var description: String {
            switch self {
            case .null: return "null"
            case .number(let x, let exact): return exact.map(String.init) ?? "\(x)"
            case .text(let t): return "\"\(t)\""
            }
        }
    }

    /// What is wrong, or nil when the two agree.
    static func problem(_ p: DPipeline, clubsh: Result<Table, Diagnostic>, sqlite: Result<[[SQLite3Shell.Scalar]], SQLite3Shell.QueryError>) -> String? {
        let table: Table
        switch clubsh {
        case .failure(let d): return "clubsh refused the pipeline: \(d.message)"
        case .success(let t): table = t
        }
        let rows: [[SQLite3Shell.Scalar]]
        switch sqlite {
        case .failure(let e): return "sqlite3 refused the SQL (a bug in the test's translation): \(e.message)"
        case .success(let r): rows = r
        }
        let expected = p.output
        if table.columnNames != expected.map(\.name) {
            return "columns \(table.columnNames), expected \(expected.map(\.name))"
        }
        for (c, col) in zip(table.columns, expected) where col.type != .null && c.type.rawValue != col.type.rawValue {
            return "column \(col.name) is \(c.type.rawValue), expected \(col.type.rawValue)"
        }
        if table.rowCount != rows.count { return "\(table.rowCount) rows, sqlite3 has \(rows.count)" }
        for i in 0..<rows.count {
            guard rows[i].count == table.columns.count else { return "sqlite3 row \(i) has \(rows[i].count) values" }
            for (j, column) in table.columns.enumerated() {
                let mine = Cell(column.value(at: i)), theirs = Cell(rows[i][j])
                if !mine.matches(theirs) {
                    return "row \(i), column \(table.columnNames[j]): clubsh \(mine), sqlite3 \(theirs)"
                }
            }
        }
        return nil
    }

    static func show(_ r: Result<Table, Diagnostic>, limit: Int = 12) -> String {
        guard case .success(let t) = r else { return "  (no table)\n" }
        return (0..<min(t.rowCount, limit)).map { i in
            "  " + t.columns.map { Cell($0.value(at: i)).description }.joined(separator: " | ") + "\n"
        }.joined() + (t.rowCount > limit ? "  … \(t.rowCount) rows\n" : "")
    }

    static func show(_ r: Result<[[SQLite3Shell.Scalar]], SQLite3Shell.QueryError>, limit: Int = 12) -> String {
        guard case .success(let rows) = r else { return "  (no rows)\n" }
        return rows.prefix(limit).map { "  " + $0.map { Cell($0).description }.joined(separator: " | ") + "\n" }.joined()
            + (rows.count > limit ? "  … \(rows.count) rows\n" : "")
    }
}
