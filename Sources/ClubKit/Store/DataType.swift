/// The type of a column or of an expression.
///
/// Columns hold `int`, `double`, `bool`, `date`, `datetime` and `string`; `duration`
/// exists only for scalars (`30d`, `6mo`) and `null` is the type of the bare literal `null`.
public enum DataType: String, Sendable, CaseIterable {
    case int, double, bool, date, datetime, string, duration, null

    /// Whether arithmetic and numeric aggregates apply.
    var isNumeric: Bool { self == .int || self == .double }

    /// The names a user may write in `types (col: …)`.
    static func named(_ name: String) -> DataType? {
        switch name.lowercased() {
        case "int", "integer", "bigint", "int64": return .int
        case "double", "float", "real", "decimal", "number": return .double
        case "bool", "boolean": return .bool
        case "date": return .date
        case "datetime", "timestamp": return .datetime
        case "string", "text", "varchar", "str": return .string
        default: return nil
        }
    }
}
