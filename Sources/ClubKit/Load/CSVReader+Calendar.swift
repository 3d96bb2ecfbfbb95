/// Which calendar a column's dates are in, and what the load tells the user about it.
extension CSVReader {
    /// Whether a column declared `date` or `datetime` reads Jalali dates: always under `with
    /// calendar jalali`, never under Gregorian, and when the calendar is detected, when every
    /// value of the first thousand rows (`mask`, their candidate bits) is written as a date of
    /// the years 1300–1499, as for an inferred column.
    static func isJalali(declaredMask mask: UInt16, calendar: LoadCalendar) -> Bool {
        switch calendar {
        case .jalali: return true
        case .gregorian: return false
        case .automatic: return mask != FieldParsing.all && mask & FieldParsing.jalaliShape != 0
        }
    }

    /// Notes on the calendar, one line each: when the calendar was detected, the columns read as
    /// Jalali because their years are all 1300–1499; and the columns written as Jalali dates that
    /// stay text because a value is no day of the calendar, with the first such value and why.
    static func calendarNotes(_ table: Table, kinds: [FieldKind], masks: [UInt16], declared: [DataType?],
                              pattern: DatePattern?, calendar: LoadCalendar) -> [String] {
        guard let years = calendar.jalaliYears else { return [] }
        var notes: [String] = []
        let jalali = kinds.indices.filter { kinds[$0].isJalali && table.columns[$0].type != .string }
        if calendar == .automatic && !jalali.isEmpty {
            let one = jalali.count == 1
            notes.append("\(one ? "column" : "columns") \(jalali.map { table.columnNames[$0] }.joined(separator: ", ")): Jalali dates, as \(one ? "its" : "their") "
                         + "years are all \(years.lowerBound)–\(years.upperBound) (`with calendar gregorian` reads them as Gregorian)")
        }
        for c in kinds.indices where declared[c] == nil && kinds[c] == .string
            && FieldParsing.possible(masks[c], calendar: calendar) & FieldParsing.jalaliShape != 0 {
            guard case .string(_, let dictionary) = table.columns[c].storage,
                  let (value, why) = firstProblem(dictionary.values, pattern: pattern, calendar: calendar) else { continue }
            notes.append("column \(table.columnNames[c]): kept as text, as `\(shown(value))` is not a Jalali date (\(why))")
        }
        return notes
    }

    /// The first of `values` written as a Jalali date that is not one, and why.
    private static func firstProblem(_ values: [String], pattern: DatePattern?, calendar: LoadCalendar) -> (String, String)? {
        for value in values {
            var text = value
            // SAFETY: the bytes are read only inside the closure.
            if let why = text.withUTF8({ JalaliDateParser.problem($0, pattern: pattern, calendar: calendar) }) { return (value, why) }
        }
        return nil
    }
}
