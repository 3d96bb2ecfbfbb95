/// The calendar a session groups and prints dates in (`.calendar`). Dates are stored as the same
/// day numbers either way; the calendar decides what a month is (`retention by month`,
/// `cohort monthly`) and how a date reads in the modes people read.
public enum CalendarKind: String, CaseIterable, Sendable {
    case gregorian, jalali

    /// A month as one number, year × 12 + month − 1, in this calendar. A Jalali day outside
    /// the years clubsh converts (1178–1501) counts by its Gregorian month, shifted to the
    /// nearest Jalali numbering (the analytics refuse such spans before they get here).
    func monthIndex(_ day: Int32) -> Int {
        switch self {
        case .gregorian:
            let c = CivilDate.civil(Int(day))
            return c.year * 12 + c.month - 1
        case .jalali:
            guard let j = JalaliDate.jalali(Int(day)) else {
                let c = CivilDate.civil(Int(day))
                return (c.year - 621) * 12 + c.month - 1
            }
            return j.year * 12 + j.month - 1
        }
    }

    /// The first day of month `index` (as `monthIndex` numbers them).
    func firstDay(ofMonth index: Int) -> Int32 {
        let year = index >= 0 ? index / 12 : (index - 11) / 12, month = index - year * 12 + 1
        switch self {
        case .gregorian:
            return Int32(CivilDate.days(year: year, month: month, day: 1))
        case .jalali:
            return Int32(JalaliDate.days(year: year, month: month, day: 1) ?? CivilDate.days(year: year + 621, month: month, day: 1))
        }
    }

    /// Whether every day in `days` can be read in this calendar; the Jalali years clubsh
    /// converts are 1178–1501.
    func covers(_ low: Int32, _ high: Int32) -> Bool {
        self == .gregorian || (JalaliDate.jalali(Int(low)) != nil && JalaliDate.jalali(Int(high)) != nil)
    }

    /// Year, month and day of a date in this calendar (Gregorian outside the Jalali years).
    func parts(_ day: Int) -> (year: Int, month: Int, day: Int) {
        if self == .jalali, let j = JalaliDate.jalali(day) { return j }
        let c = CivilDate.civil(day)
        return (c.year, c.month, c.day)
    }

    /// The first day of the month `day` is in.
    func monthStart(_ day: Int) -> Int32 {
        firstDay(ofMonth: monthIndex(Int32(clamping: day)))
    }

    /// A value as people read it: a date or date-time in this calendar, anything else as
    /// `ValueFormat.display` writes it.
    func display(_ v: Value) -> String {
        switch v {
        case .date(let d): return format(d)
        case .dateTime(let t): return format(Int32(floorDiv(t, 86400))) + ValueFormat.display(v).dropFirst(10)
        default: return ValueFormat.display(v)
        }
    }

    /// A date as `yyyy-MM-dd` in this calendar (Gregorian ISO outside the Jalali years).
    func format(_ day: Int32) -> String {
        guard self == .jalali, let j = JalaliDate.jalali(Int(day)) else { return CivilDate.format(day) }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(j.year)-\(two(j.month))-\(two(j.day))"
    }
}

extension CalendarKind {
    /// The quarter (1–4) of the year a date is in: Farvardin–Khordad is the first Jalali quarter,
    /// January–March the first Gregorian one (Gregorian outside the Jalali years).
    func quarter(_ day: Int) -> Int { (parts(day).month - 1) / 3 + 1 }

    /// The first day of the year a date is in: 1 Farvardin under Jalali, 1 January under
    /// Gregorian (and outside the Jalali years clubsh converts).
    func yearStart(_ day: Int) -> Int {
        if self == .jalali, let j = JalaliDate.jalali(day), let first = JalaliDate.days(year: j.year, month: 1, day: 1) { return first }
        return CivilDate.days(year: CivilDate.civil(day).year, month: 1, day: 1)
    }

    /// `day` moved by `months` months of this calendar, the day clamped to the target month's
    /// length (Shahrivar 31 + 1 month is Mehr 30, as 2024-01-31 + 1 month is 2024-02-29). nil
    /// under Jalali when the date or the result lies outside the years clubsh converts.
    func addMonths(_ day: Int, _ months: Int) -> Int? {
        guard self == .jalali else { return CivilDate.addMonths(day, months) }
        guard let j = JalaliDate.jalali(day) else { return nil }
        let total = j.year * 12 + (j.month - 1) + months
        let year = total >= 0 ? total / 12 : (total - 11) / 12, month = total - year * 12 + 1
        guard JalaliDate.years.contains(year) else { return nil }
        return JalaliDate.days(year: year, month: month, day: min(j.day, JalaliDate.monthLength(year: year, month: month)))
    }

    /// The name of the month a date is in, in this calendar and `language`: Jalali months in
    /// Persian (فروردین) or transliterated (Farvardin), Gregorian ones in English (January) or
    /// Persian (ژانویه). Gregorian outside the Jalali years.
    func monthName(_ day: Int, language: Language) -> String {
        if self == .jalali, let j = JalaliDate.jalali(day) {
            return (language == .persian ? JalaliDate.persianMonthNames : JalaliDate.monthNames)[j.month - 1]
        }
        let m = CivilDate.civil(day).month
        return (language == .persian ? CivilDate.persianMonthNames : CivilDate.monthNames)[m - 1]
    }
}
