/// The SQL engines a plan compiles for, and how each spells what clubsh means.
///
/// Each spelling keeps clubsh's documented semantics (docs/language.md, "Compiling to SQL"):
/// identifiers quoted, doubles typed as doubles (a bare `1.5` is a decimal in PostgreSQL,
/// DuckDB and Spark), dates as ISO dates (text in SQLite), text compared by its bytes.
public enum SQLDialect: String, CaseIterable, Sendable {
    case postgres, spark, duckdb, sqlite

    /// The engine's name as people write it.
    var displayName: String {
        switch self {
        case .postgres: return "PostgreSQL"
        case .spark: return "Spark SQL"
        case .duckdb: return "DuckDB"
        case .sqlite: return "SQLite"
        }
    }

    /// A name as a quoted identifier: `"order date"`, or `` `order date` `` in Spark.
    func quote(_ name: String) -> String {
        switch self {
        case .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        default: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// The SQL type of a clubsh column type, for casts.
    func typeName(_ t: DataType) -> String {
        switch (self, t) {
        case (.sqlite, .double): return "REAL"
        case (.sqlite, .int), (.sqlite, .bool): return "INTEGER"
        case (.sqlite, _): return "TEXT"
        case (.postgres, .double): return "DOUBLE PRECISION"
        case (_, .double): return "DOUBLE"
        case (_, .int), (_, .duration): return "BIGINT"
        case (_, .bool): return "BOOLEAN"
        case (_, .date): return "DATE"
        case (_, .datetime): return "TIMESTAMP"
        case (.spark, .string), (.spark, .null): return "STRING"
        case (_, .string), (_, .null): return "VARCHAR"
        }
    }

    /// `x` as a double.
    func double(_ x: String) -> String { "CAST(\(x) AS \(typeName(.double)))" }

    /// `x` (a date or date-time) as a date-time; a date is its midnight.
    func timestamp(_ x: String) -> String { self == .sqlite ? "datetime(\(x))" : "CAST(\(x) AS TIMESTAMP)" }

    /// `x` (a date or date-time) as the date it falls on.
    func date(_ x: String) -> String { self == .sqlite ? "date(\(x))" : "CAST(\(x) AS DATE)" }

    /// `to − from` in days, both dates, as a 64-bit integer.
    func daysBetween(_ from: String, _ to: String) -> String {
        switch self {
        case .sqlite: return "CAST(round(julianday(\(to)) - julianday(\(from))) AS INTEGER)"
        case .postgres: return "CAST(\(to) - \(from) AS BIGINT)"
        case .duckdb: return "date_diff('day', \(from), \(to))"
        case .spark: return "CAST(datediff(\(to), \(from)) AS BIGINT)"
        }
    }

    /// Text comparisons and sorts by bytes: PostgreSQL compares by its locale unless told `C`.
    func collate(_ x: String, _ type: DataType) -> String {
        self == .postgres && type == .string ? "\(x) COLLATE \"C\"" : x
    }

    /// A value as an SQL literal of the given clubsh type.
    func literal(_ v: Value, _ type: DataType) -> String {
        switch v {
        case .null:
            return self == .sqlite || type == .null ? "NULL" : "CAST(NULL AS \(typeName(type)))"
        case .int(let x):
            // The smallest integer has no literal of its own: its digits without the sign overflow.
            if x == .min { return "(-9223372036854775807 - 1)" }
            let text = x < 0 ? "(\(x))" : String(x)
            return type == .double ? double(text) : text
        case .double(let x):
            if x.isInfinite {
                if self == .sqlite { return x < 0 ? "(-9e999)" : "9e999" }
                return double(x < 0 ? "'-Infinity'" : "'Infinity'")
            }
            let text = x < 0 ? "(\(x))" : "\(x)"
            return self == .sqlite ? text : double(text)
        case .bool(let b):
            if self == .sqlite { return b ? "1" : "0" }
            return b ? "TRUE" : "FALSE"
        case .date(let d):
            if type == .datetime { return literal(.dateTime(Int64(d) * 86400), type) }
            let text = "'\(CivilDate.format(d))'"
            return self == .sqlite ? text : "DATE \(text)"
        case .dateTime(let t):
            let text = "'\(CivilDate.formatDateTime(t))'"
            return self == .sqlite ? text : "TIMESTAMP \(text)"
        case .string(let s):
            return string(s)
        case .duration(let d):
            // Met only beside a number, where a duration counts its days (docs/language.md).
            return String(d.days)
        }
    }

    /// Text as a literal on one line: quotes doubled (and backslashes in Spark, which reads
    /// them as escapes), line breaks as `char(10)`/`chr(10)` joined in.
    func string(_ s: String) -> String {
        var body = s.replacingOccurrences(of: "'", with: "''")
        if self == .spark { body = body.replacingOccurrences(of: "\\", with: "\\\\") }
        guard body.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return "'\(body)'" }
        let char = self == .sqlite ? "char" : "chr"
        var parts: [String] = []
        var current = ""
        for scalar in body.unicodeScalars {
            if scalar == "\n" || scalar == "\r" {
                parts.append("'\(current)'")
                parts.append("\(char)(\(scalar.value))")
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        parts.append("'\(current)'")
        return self == .spark ? "concat(\(parts.joined(separator: ", ")))" : "(\(parts.joined(separator: " || ")))"
    }

    /// The row order of a table as it is scanned: its place in the file it was loaded from.
    var scanOrder: String {
        // Spark numbers rows only over an ordered window; its increasing id follows the scan.
        self == .spark ? "monotonically_increasing_id()" : "ROW_NUMBER() OVER ()"
    }
}
