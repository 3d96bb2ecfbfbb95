import Foundation

/// A SQL engine attached with `attach`: PostgreSQL (`PostgresEngine`, libpq loaded at run time)
/// or Spark (`SparkEngine`, one long-lived `spark-sql` process). Pipelines over its tables are
/// compiled to its SQL and run there; only answers come back, as local tables.
///
///     attach postgres "host=/tmp/pg dbname=club" as pg
///     pg.orders | where amount > 100 | agg n = count() by channel
protocol Engine: AnyObject {
    /// `postgres` or `spark`, as written after `attach`.
    var kind: EngineKind { get }
    /// The bytes that went to and came from the engine since it was attached.
    var traffic: EngineTraffic { get }
    /// The tables of the engine's current schema, sorted.
    func tableNames() throws(EngineError) -> [String]
    /// A table's columns with their clubsh types; nil when there is no such table.
    func schema(of table: String) throws(EngineError) -> Schema?
    /// Runs a query and gives its answer as a local table; `isCancelled` is polled while it runs
    /// and stops the remote statement.
    func query(_ sql: String, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError) -> Table
    /// Writes `table` as the engine's table `name`: all or nothing, and only over an existing
    /// table when `overwrite`.
    func upload(_ table: Table, as name: String, overwrite: Bool, isCancelled: @escaping @Sendable () -> Bool) throws(EngineError)
    /// Ends the connection or process.
    func close()
}

/// What went over the wire to and from an attached engine, in bytes. PostgreSQL: the protocol
/// messages that carry statements, uploaded rows (COPY) and answer rows, as libpq sends and
/// receives them (the start-up and the short status messages are left out). Spark: everything
/// written to `spark-sql`'s input and read from its output and error streams, and the CSV file
/// an upload writes for it to read.
public struct EngineTraffic: Equatable, Sendable {
    public var sent = 0
    public var received = 0

    public init(sent: Int = 0, received: Int = 0) {
        self.sent = sent
        self.received = received
    }

    /// "812 B", "3.4 KB", "37.2 MB", "1.05 GB" (powers of 1,000).
    public static func bytes(_ n: Int) -> String {
        if n < 1000 { return "\(n) B" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(n) / 1000, k = 0
        while value >= 999.95 && k < units.count - 1 { value /= 1000; k += 1 }
        return String(format: value < 100 ? "%.1f" : "%.0f", value) + " " + units[k]
    }
}

/// The engines `attach` knows.
enum EngineKind: String, CaseIterable, Sendable {
    case postgres, spark
}

/// What went wrong in an engine, in one line: the engine's own message, or Ctrl-C.
struct EngineError: Error {
    var message: String
    var interrupted = false

    init(_ message: String, interrupted: Bool = false) {
        // One line, whatever the engine wrote.
        self.message = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        self.interrupted = interrupted
    }

    static let cancelled = EngineError("interrupted", interrupted: true)

    /// As a diagnostic at `location`, naming the engine.
    func diagnostic(_ engine: String, at location: SourceLocation) -> Diagnostic {
        if interrupted { return .interrupted }
        return Diagnostic("\(engine): \(message)", at: location)
    }
}

/// Builds one typed column from the text an engine sends, value by value: the one place where
/// an engine's text becomes clubsh values (`null` for text that does not parse, so an engine's
/// `NaN`, `Infinity` or a date outside 0001–9999 never reaches a kernel).
struct TextColumnBuilder {
    let type: DataType
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    private var bools: [Bool] = []
    private var dates: [Int32] = []
    private var codes: [Int32] = []
    private var strings = StringDictionary.Builder()
    private var validity = Bitmap(count: 0)
    private(set) var count = 0

    init(_ type: DataType) { self.type = type }

    /// Appends `text`, or null when nil.
    mutating func append(_ text: Substring?) {
        var valid = text != nil
        let s = text ?? ""
        switch type {
        case .int:
            let v = valid ? Int64(s) : nil
            valid = v != nil
            ints.append(v ?? 0)
        case .double:
            let v = valid ? Double(s) : nil
            valid = v?.isFinite == true
            doubles.append(valid ? v! : 0)
        case .bool:
            let v: Bool? = valid ? (["t", "true", "1"].contains(s.lowercased()) ? true : ["f", "false", "0"].contains(s.lowercased()) ? false : nil) : nil
            valid = v != nil
            bools.append(v ?? false)
        case .date:
            let v = valid ? DateParser.isoDate(String(s.prefix(10))) : nil
            valid = v != nil && s.count == 10
            dates.append(valid ? v! : 0)
        case .datetime:
            // `2024-01-02 03:04:05.678+00`: seconds are what clubsh keeps.
            let v = valid ? DateParser.isoDateTime(String(s.prefix(19))) : nil
            valid = v != nil
            ints.append(v ?? 0)
        case .string, .duration, .null:
            codes.append(valid ? strings.code(for: String(s)) : 0)
        }
        validity.append(valid)
        count += 1
    }

    /// The column built so far.
    func column() -> Column {
        let v: Bitmap? = validity.nullCount == 0 ? nil : validity
        switch type {
        case .int: return Column(.int(ints), validity: v)
        case .double: return Column(.double(doubles), validity: v)
        case .bool: return Column(.bool(bools), validity: v)
        case .date: return Column(.date(dates), validity: v)
        case .datetime: return Column(.dateTime(ints), validity: v)
        case .string, .duration, .null:
            let dictionary = strings
            return Column(.string(codes, StringDictionary(dictionary)), validity: v)
        }
    }
}

extension Table {
    /// A table of the columns `builders` built, named `names`.
    init(names: [String], builders: [TextColumnBuilder]) {
        self.init(columnNames: names, columns: builders.map { $0.column() }, rowCount: builders.first?.count ?? 0)
    }
}

/// Text for an engine's CSV reader: one field of a local value (dates ISO, doubles in full
/// precision, strings quoted so an empty string is not a null).
enum EngineCSV {
    static func field(_ column: Column, _ row: Int) -> String {
        if column.isNull(row) { return "" }
        switch column.value(at: row) {
        case .int(let v): return String(v)
        case .double(let v): return "\(v)"
        case .bool(let v): return v ? "true" : "false"
        case .date(let d): return CivilDate.format(d)
        case .dateTime(let s): return CivilDate.formatDateTime(s)
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        case .duration(let d): return String(d.days)
        case .null: return ""
        }
    }

    /// The rows `range` of `table` as CSV lines, without a header.
    static func rows(_ table: Table, _ range: Range<Int>) -> String {
        var out = ""
        for r in range {
            for (k, c) in table.columns.enumerated() {
                if k > 0 { out += "," }
                out += field(c, r)
            }
            out += "\n"
        }
        return out
    }
}
