/// The Jalali (Solar Hijri) calendar, Iran's civil calendar, on the day numbers `CivilDate` uses
/// (days since 1970-01-01), so a Jalali date is stored, compared and computed as any other date.
///
/// Months 1–6 have 31 days, months 7–11 have 30, and Esfand (12) has 29, or 30 in a leap year.
/// Leap years follow the arithmetic 33-year rule that jdatetime uses: year y is leap when
/// (25·y + 11) mod 33 < 8, the same as y mod 33 ∈ {1, 5, 9, 13, 17, 22, 26, 30}, so every 33
/// years hold 8 leap years and 12,053 days. The official calendar is astronomical (a year
/// starts on the day of the March equinox, by noon in Tehran); the rule gives the same days for
/// the years 1178–1501 (1799-03-21 to 2123-03-20), where it, Borkowski's break-year algorithm
/// (jalaali-js) and persiantools' astronomical table agree day for day
/// (Tests/ClubKitTests/Fixtures/Jalali). Outside those years they part, so clubsh converts
/// only those: anything else, and any day that does not exist (month 13, Mehr 31, Esfand 30 of
/// a common year), is refused, never wrapped into a neighbouring day.
///
///     JalaliDate.days(year: 1402, month: 7, day: 15)   // 19637, 2023-10-07
///     JalaliDate.jalali(19637)                         // (1402, 7, 15)
public enum JalaliDate {
    /// The years clubsh converts (see the type's comment).
    static let years = 1178...1501

    /// The transliterated month names, Farvardin first.
    static let monthNames = ["Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
                             "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"]
    /// The month names in Persian, فروردین first.
    static let persianMonthNames = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                                    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]

    /// Whether `year` has 366 days under the 33-year rule: Esfand 30 exists.
    static func isLeap(_ year: Int) -> Bool { ((25 * (year % 33) + 11) % 33 + 33) % 33 < 8 }

    /// Days in `month` (1–12) of `year`.
    static func monthLength(year: Int, month: Int) -> Int {
        month <= 6 ? 31 : (month <= 11 ? 30 : (isLeap(year) ? 30 : 29))
    }

    /// Whether year-month-day is a real day of a year clubsh converts.
    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        years.contains(year) && month >= 1 && month <= 12 && day >= 1 && day <= monthLength(year: year, month: month)
    }

    /// The day number of year-month-day; nil when it is not a real day of the years 1178–1501.
    public static func days(year: Int, month: Int, day: Int) -> Int? {
        guard isValid(year: year, month: month, day: day) else { return nil }
        let dayOfYear = month <= 7 ? (month - 1) * 31 : 186 + (month - 7) * 30
        return newYear(year) + dayOfYear + day - 1
    }

    /// Year, month and day of a day number; nil outside 1 Farvardin 1178 … the last day of 1501.
    public static func jalali(_ days: Int) -> (year: Int, month: Int, day: Int)? {
        guard days >= firstDay && days <= lastDay else { return nil }
        // 12,053 days per 33 years: the estimate is the year or the one after it.
        var year = (days - epoch) * 33 / 12053 + 1
        while newYear(year) > days { year -= 1 }
        while newYear(year + 1) <= days { year += 1 }
        let dayOfYear = days - newYear(year)
        if dayOfYear < 186 { return (year, dayOfYear / 31 + 1, dayOfYear % 31 + 1) }
        return (year, (dayOfYear - 186) / 30 + 7, (dayOfYear - 186) % 30 + 1)
    }

    /// Why year-month-day is not a date clubsh reads, in a few words for an error message
    /// ("1402 is not a leap year, so Esfand has 29 days"); nil when it is one.
    static func problem(year: Int, month: Int, day: Int) -> String? {
        guard years.contains(year) else { return "clubsh reads the Jalali years \(years.lowerBound)–\(years.upperBound)" }
        guard month >= 1 && month <= 12 else { return "there is no month \(month)" }
        guard day >= 1 else { return "there is no day 0" }
        let length = monthLength(year: year, month: month)
        guard day <= length else {
            if month == 12 && day == 30 { return "\(year) is not a leap year, so Esfand has 29 days" }
            return "\(monthNames[month - 1]) has \(length) days"
        }
        return nil
    }

    /// The day number of 1 Farvardin of year 1 under the 33-year rule, fixed by 1 Farvardin 1403
    /// falling on 2024-03-20.
    private static let epoch = CivilDate.days(year: 2024, month: 3, day: 20) - daysBefore(year: 1403)
    private static let firstDay = newYear(years.lowerBound)
    private static let lastDay = newYear(years.upperBound + 1) - 1

    /// Days from 1 Farvardin 1 to 1 Farvardin of `year`: 365 a year plus the leap days of the
    /// years before it, ⌊(8·(year − 1) + 29) / 33⌋ (the count the leap rule gives).
    private static func daysBefore(year: Int) -> Int {
        365 * (year - 1) + (8 * (year - 1) + 29) / 33
    }

    /// The day number of 1 Farvardin (Nowruz) of `year`.
    private static func newYear(_ year: Int) -> Int { epoch + daysBefore(year: year) }
}
