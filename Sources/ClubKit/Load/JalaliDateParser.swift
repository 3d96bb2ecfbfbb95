/// Reads Jalali dates and date-times from field bytes, in the forms Iranian exports write them
/// (`1402/07/15`, `1402-07-15`, `1402/7/5`, with an optional time) or by the user's
/// `date_format`, into the day numbers and seconds every other date uses.
///
/// The digits here are Latin; `LocalDigits.latinDigits` rewrites Persian and Arabic-Indic ones
/// first. Nothing is allocated.
///
/// SAFETY: part of the loader's chunk parser. Each function reads `p` only at indexes below
/// p.count (every index is compared with p.count before it is read) and keeps no pointer into it.
enum JalaliDateParser {
    /// The numbers of a date in a built-in form: a four-digit year, then one or two digits of
    /// month and of day, each after the same separator, `/` or `-`; then, optionally, `T` or a
    /// space and a time `HH:mm` or `HH:mm:ss`. nil when `p` has another shape or the time is not
    /// one (hour 24); the date is not checked against the calendar.
    @inline(__always)
    static func fields(_ p: UnsafeBufferPointer<UInt8>) -> (year: Int, month: Int, day: Int, seconds: Int?)? {
        guard p.count >= 8, let year = DateParser.number(p, 0, 4), p[4] == 47 || p[4] == 45 else { return nil }
        let separator = p[4]
        var i = 5
        /// One or two digits from `i`.
        func small() -> Int? {
            guard i < p.count, let a = DateParser.digit(p[i]) else { return nil }
            i += 1
            guard i < p.count, let b = DateParser.digit(p[i]) else { return a }
            i += 1
            return a * 10 + b
        }
        guard let month = small(), i < p.count, p[i] == separator else { return nil }
        i += 1
        guard let day = small() else { return nil }
        if i == p.count { return (year, month, day, nil) }
        // A time: `T` or a space, HH:mm, and optionally :ss, as in ISO date-times.
        guard p[i] == 84 || p[i] == 32, p.count - i == 6 || p.count - i == 9, p[i + 3] == 58,
              let h = DateParser.number(p, i + 1, 2), let mi = DateParser.number(p, i + 4, 2), h < 24, mi < 60 else { return nil }
        var s = 0
        if p.count - i == 9 {
            guard p[i + 6] == 58, let sec = DateParser.number(p, i + 7, 2), sec < 60 else { return nil }
            s = sec
        }
        return (year, month, day, h * 3600 + mi * 60 + s)
    }

    /// A Jalali date without a time, in a built-in form, whose year is in `years`: its day number.
    @inline(__always)
    static func date(_ p: UnsafeBufferPointer<UInt8>, years: ClosedRange<Int>) -> Int32? {
        guard let f = fields(p), f.seconds == nil, years.contains(f.year),
              let day = JalaliDate.days(year: f.year, month: f.month, day: f.day) else { return nil }
        return Int32(day)
    }

    /// A Jalali date-time in a built-in form (a date alone too when `dateAlone`), whose year is in
    /// `years`: seconds since the epoch.
    @inline(__always)
    static func dateTime(_ p: UnsafeBufferPointer<UInt8>, years: ClosedRange<Int>, dateAlone: Bool = false) -> Int64? {
        guard let f = fields(p), f.seconds != nil || dateAlone, years.contains(f.year),
              let day = JalaliDate.days(year: f.year, month: f.month, day: f.day) else { return nil }
        return Int64(day) * 86400 + Int64(f.seconds ?? 0)
    }

    /// The year a pattern's fields give: a two-digit year (`yy`) falls in 1348–1447, the Jalali
    /// years of the Gregorian 1969–2068 that `yy` means in a Gregorian pattern (48–99 are
    /// 1348–1399, 00–47 are 1400–1447).
    @inline(__always)
    static func year(_ f: (year: Int, twoDigitYear: Bool, month: Int, day: Int, seconds: Int)) -> Int {
        f.twoDigitYear ? (f.year >= 48 ? 1300 + f.year : 1400 + f.year) : f.year
    }

    /// A Jalali date read by the user's `date_format` pattern, whose year is in `years`: seconds
    /// since the epoch (midnight for a pattern without time).
    @inline(__always)
    static func pattern(_ pattern: DatePattern, _ p: UnsafeBufferPointer<UInt8>, years: ClosedRange<Int>) -> Int64? {
        guard let f = pattern.fields(p) else { return nil }
        let y = year(f)
        guard years.contains(y), let day = JalaliDate.days(year: y, month: f.month, day: f.day) else { return nil }
        return Int64(day) * 86400 + Int64(f.seconds)
    }

    /// What a field says about the Jalali calendar under `calendar`, as candidate bits of
    /// `FieldParsing`: `jalaliShape` when it is written as a date of the years that mark a column
    /// Jalali (four-digit years 1300–1499 when the calendar is detected, any year when it is
    /// asked for), and
    /// `jalaliDate`, `jalaliDateTime` or `jalaliPattern` when it is a real day of the years read.
    static func classify(_ p: UnsafeBufferPointer<UInt8>, pattern: DatePattern?, calendar: LoadCalendar) -> UInt16 {
        guard let years = calendar.jalaliYears else { return 0 }
        var mask: UInt16 = 0
        // A two-digit year is Gregorian unless the load says Jalali: `yy` is never 1300–1499.
        if let pattern, let f = pattern.fields(p), calendar == .jalali || !f.twoDigitYear {
            let y = year(f)
            if calendar == .jalali || years.contains(y) { mask |= FieldParsing.jalaliShape }
            if years.contains(y) && JalaliDate.isValid(year: y, month: f.month, day: f.day) { mask |= FieldParsing.jalaliPattern }
        }
        if let f = fields(p) {
            if calendar == .jalali || years.contains(f.year) { mask |= FieldParsing.jalaliShape }
            if years.contains(f.year) && JalaliDate.isValid(year: f.year, month: f.month, day: f.day) {
                mask |= f.seconds == nil ? FieldParsing.jalaliDate : FieldParsing.jalaliDateTime
            }
        }
        return mask
    }

    /// Why a field written as a Jalali date (in a built-in form or by `pattern`, in any digits) is
    /// not one under `calendar`: "1402 is not a leap year, so Esfand has 29 days"; nil when it is
    /// a date or is not written as one.
    static func problem(_ p: UnsafeBufferPointer<UInt8>, pattern: DatePattern?, calendar: LoadCalendar) -> String? {
        if LocalDigits.hasNonASCII(p), let why = LocalDigits.rewritten(p, LocalDigits.latinDigits, { problem($0, pattern: pattern, calendar: calendar) }) {
            return why
        }
        guard let years = calendar.jalaliYears else { return nil }
        var written: (year: Int, month: Int, day: Int)?
        if let f = fields(p) {
            written = (f.year, f.month, f.day)
        } else if let pattern, let f = pattern.fields(p), calendar == .jalali || !f.twoDigitYear {
            written = (year(f), f.month, f.day)
        }
        guard let (y, m, d) = written else { return nil }
        if !years.contains(y) && years != JalaliDate.years && JalaliDate.years.contains(y) {
            return "a column is read as Jalali when its years are \(years.lowerBound)–\(years.upperBound); `with calendar jalali` reads \(JalaliDate.years.lowerBound)–\(JalaliDate.years.upperBound)"
        }
        return JalaliDate.problem(year: y, month: m, day: d)
    }
}
