/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), without
/// Foundation: the algorithms of Howard Hinnant's "chrono-compatible low-level date algorithms".
enum CivilDate {
    /// The calendar clubsh counts in: 0001-01-01 … 9999-12-31, as day numbers. Dates outside
    /// it are not loaded, written or computed (arithmetic that leaves it gives null).
    static let minDay = -719_162
    static let maxDay = 2_932_896

    /// Day number of year-month-day.
    @inline(__always)
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Year, month, day of a day number.
    @inline(__always)
    static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// The month names in English, January first (`month_name` under the Gregorian calendar).
    static let monthNames = ["January", "February", "March", "April", "May", "June",
                             "July", "August", "September", "October", "November", "December"]
    /// The Gregorian month names as Persian writes them (`month_name` with `.lang fa`).
    static let persianMonthNames = ["ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن",
                                    "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر"]

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whether year-month-day names a real day.
    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year: year, month: month)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    static func weekday(_ days: Int) -> Int {
        let w = (days + 3) % 7  // 1970-01-01 was a Thursday (ISO 4)
        return (w < 0 ? w + 7 : w) + 1
    }

    /// Adds calendar months, clamping the day to the target month's length.
    static func addMonths(_ days: Int, _ months: Int) -> Int {
        let (y, m, d) = civil(days)
        let total = y * 12 + (m - 1) + months
        let ny = total >= 0 ? total / 12 : (total - 11) / 12
        let nm = total - ny * 12 + 1
        return self.days(year: ny, month: nm, day: min(d, daysInMonth(year: ny, month: nm)))
    }

    /// `YYYY-MM-DD`.
    static func format(_ days: Int32) -> String {
        let (y, m, d) = civil(Int(days))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM-DD HH:MM:SS`.
    static func formatDateTime(_ seconds: Int64) -> String {
        let day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = Int(seconds - day * 86400)
        return format(Int32(day)) + " " + pad(rest / 3600, 2) + ":" + pad(rest / 60 % 60, 2) + ":" + pad(rest % 60, 2)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(abs(v))
        let body = s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        return v < 0 ? "-" + body : body
    }
}

/// Parses dates and date-times from UTF-8 bytes without allocating: ISO forms and user patterns.
///
/// SAFETY: the loader hands these its fields as buffers; each function reads `p` only at
/// indexes below p.count (`number` checks start + len ≤ p.count, the ISO forms check p.count
/// first) and keeps no pointer into it.
public enum DateParser {
    @inline(__always)
    static func digit(_ b: UInt8) -> Int? { b >= 48 && b <= 57 ? Int(b - 48) : nil }

    @inline(__always)
    static func number(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ len: Int) -> Int? {
        guard start + len <= p.count else { return nil }
        var v = 0
        for i in start..<(start + len) {
            guard let d = digit(p[i]) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// `YYYY-MM-DD` → day number, for a real day of the years 0001–9999 (`2023-02-30`, month 13
    /// and year 0000 are not dates).
    @inline(__always)
    static func isoDate(_ p: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard p.count == 10, p[4] == 45, p[7] == 45,
              let y = number(p, 0, 4), let m = number(p, 5, 2), let d = number(p, 8, 2),
              y >= 1, CivilDate.isValid(year: y, month: m, day: d) else { return nil }
        return Int32(CivilDate.days(year: y, month: m, day: d))
    }

    /// `YYYY-MM-DDTHH:MM[:SS]` or with a space for `T` → seconds since the epoch.
    static func isoDateTime(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard p.count == 16 || p.count == 19, p[10] == 84 || p[10] == 32, p[13] == 58,
              let day = isoDate(UnsafeBufferPointer(rebasing: p[0..<10])),
              let h = number(p, 11, 2), let mi = number(p, 14, 2), h < 24, mi < 60 else { return nil }
        var s = 0
        if p.count == 19 {
            guard p[16] == 58, let sec = number(p, 17, 2), sec < 60 else { return nil }
            s = sec
        }
        return Int64(day) * 86400 + Int64(h * 3600 + mi * 60 + s)
    }

    public static func isoDate(_ s: String) -> Int32? {
        var s = s
        // SAFETY: the bytes are read only inside the closure.
        return s.withUTF8 { isoDate($0) }
    }

    static func isoDateTime(_ s: String) -> Int64? {
        var s = s
        // SAFETY: the bytes are read only inside the closure.
        return s.withUTF8 { isoDateTime($0) }
    }
}

/// A date pattern in Unicode notation (`yyyyMMdd`, `dd/MM/yyyy`, `yyyy-MM-dd HH:mm`), compiled
/// once and applied to bytes without allocation.
struct DatePattern: Sendable {
    enum Part: Sendable {
        case year(Int), month(Int), day(Int), hour(Int), minute(Int), second(Int), literal(UInt8)
    }
    let parts: [Part]
    let source: String
    var hasTime: Bool {
        parts.contains { if case .hour = $0 { return true } else { return false } }
    }

    /// Compiles `pattern`; nil when it has no year, month and day or uses an unknown letter.
    init?(_ pattern: String) {
        source = pattern
        var parts: [Part] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            var n = 1
            while i + n < bytes.count && bytes[i + n] == c { n += 1 }
            switch c {
            case UInt8(ascii: "y"): parts.append(.year(n == 2 ? 2 : 4))
            case UInt8(ascii: "M"): parts.append(.month(n))
            case UInt8(ascii: "d"): parts.append(.day(n))
            case UInt8(ascii: "H"): parts.append(.hour(n))
            case UInt8(ascii: "m"): parts.append(.minute(n))
            case UInt8(ascii: "s"): parts.append(.second(n))
            default:
                if (c >= 65 && c <= 90) || (c >= 97 && c <= 122) { return nil }
                for _ in 0..<n { parts.append(.literal(c)) }
            }
            i += n
        }
        let names = parts.map { p -> Character in
            switch p { case .year: return "y"; case .month: return "M"; case .day: return "d"; default: return "-" } }
        guard names.contains("y"), names.contains("M"), names.contains("d") else { return nil }
        self.parts = parts
    }

    /// The numbers `p` holds, read by the pattern: the year as written (`yy` gives 0–99), month,
    /// day and the seconds since midnight. nil when `p` does not match the pattern or the time is
    /// not one (hour 24, minute 60); the date is not checked against a calendar.
    ///
    /// SAFETY: reads `p[pos + len]` only while pos + len < p.count, and `p[pos]` after pos < p.count.
    @inline(__always)
    func fields(_ p: UnsafeBufferPointer<UInt8>) -> (year: Int, twoDigitYear: Bool, month: Int, day: Int, seconds: Int)? {
        var pos = 0
        var y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0
        var twoDigitYear = false
        func field(_ width: Int) -> Int? {
            // A width of 1 accepts one or two digits ("M" matches "3" and "12").
            var len = 0
            let maxLen = width == 1 ? 2 : width
            var v = 0
            while len < maxLen, pos + len < p.count, let dg = DateParser.digit(p[pos + len]) {
                // A long run of digits (a pattern like "ddddddddddddddddddddd") cannot overflow:
                // past 10,000 the value is no day, month or year anyway.
                v = min(v * 10 + dg, 100_000)
                len += 1
            }
            guard len == width || (width == 1 && len >= 1) else { return nil }
            pos += len
            return v
        }
        for part in parts {
            switch part {
            case .year(let w): guard let v = field(w) else { return nil }; y = v; twoDigitYear = w == 2
            case .month(let w): guard let v = field(w) else { return nil }; mo = v
            case .day(let w): guard let v = field(w) else { return nil }; d = v
            case .hour(let w): guard let v = field(w), v < 24 else { return nil }; h = v
            case .minute(let w): guard let v = field(w), v < 60 else { return nil }; mi = v
            case .second(let w): guard let v = field(w), v < 60 else { return nil }; s = v
            case .literal(let c):
                guard pos < p.count, p[pos] == c else { return nil }
                pos += 1
            }
        }
        guard pos == p.count else { return nil }
        return (y, twoDigitYear, mo, d, h * 3600 + mi * 60 + s)
    }

    /// Seconds since the epoch (midnight for a pattern without time), or nil when `p` does not
    /// match or names no real day of the years 0001–9999.
    ///
    /// Two-digit years (`yy`) pivot as POSIX `strptime`'s `%y` does: 69–99 are 1969–1999 and
    /// 00–68 are 2000–2068.
    @inline(__always)
    func parse(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let f = fields(p) else { return nil }
        let y = f.twoDigitYear ? (f.year >= 69 ? 1900 + f.year : 2000 + f.year) : f.year
        guard y >= 1, y <= 9999, CivilDate.isValid(year: y, month: f.month, day: f.day) else { return nil }
        return Int64(CivilDate.days(year: y, month: f.month, day: f.day)) * 86400 + Int64(f.seconds)
    }
}
