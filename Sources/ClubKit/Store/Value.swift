/// One scalar value, used at the edges: literals, parameters, single results and rendering.
/// Bulk data never lives in `Value`s; it lives in `Column` buffers.
public enum Value: Equatable, Sendable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// Days since 1970-01-01.
    case date(Int32)
    /// Seconds since 1970-01-01T00:00:00.
    case dateTime(Int64)
    case string(String)
    case duration(Duration)

    public var type: DataType {
        switch self {
        case .null: return .null
        case .int: return .int
        case .double: return .double
        case .bool: return .bool
        case .date: return .date
        case .dateTime: return .datetime
        case .string: return .string
        case .duration: return .duration
        }
    }

    var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The value as a Double when numeric (durations count in days).
    var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        case .duration(let d): return Double(d.days)
        default: return nil
        }
    }

    public var description: String { ValueFormat.plain(self) }
}

/// A span of time written `30d`, `12w`, `6mo`, `1y`.
///
/// Calendar units are kept so `date + 6mo` lands on the same day of the month. Compared with a
/// number of days, a month counts 30 days and a year (12 months) 365 days.
public struct Duration: Equatable, Sendable {
    var months: Int64
    var extraDays: Int64

    /// Durations are bounded so that every date computed with one stays countable: 10,000
    /// years (`Duration.days` of the longest is 3,652,425 days, computed without overflow).
    static let maxMonths: Int64 = 120_000
    static let maxDays: Int64 = 3_652_425

    init(months: Int64 = 0, days: Int64 = 0) {
        self.months = months
        self.extraDays = days
    }

    /// The length in days, for comparing with day counts.
    var days: Int64 { (months / 12) * 365 + (months % 12) * 30 + extraDays }

    var text: String {
        if months == 0 { return extraDays % 7 == 0 && extraDays != 0 ? "\(extraDays / 7)w" : "\(extraDays)d" }
        let m = months % 12 == 0 ? "\(months / 12)y" : "\(months)mo"
        return extraDays == 0 ? m : "\(m) \(extraDays)d"
    }
}
