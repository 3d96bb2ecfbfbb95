/// Acquisition cohorts (brief §6): a customer's cohort is the calendar month of their first
/// transaction; month k is the k-th calendar month after it (k = 0 is the first month); a cell
/// is the distinct customers active in month k over the cohort's size (in %, or as counts).
enum CohortCommand: AnalyticsCommandDefinition {
    /// The month columns `m0`, `m1`, … hold % of the cohort (`cohort … counts` holds integers, which no hint changes).
    static func display(column: String) -> DisplayHint {
        column.count > 1 && column.first == "m" && column.dropFirst().allSatisfy(\.isNumber) ? .percent : .plain
    }

    static let help = HelpTopic(name: "cohort", group: .analytics, usage: "cohort monthly [counts]", meaning: "first-purchase-month cohorts by months since, % active or counts", example: "cohort monthly")

    /// Whether the cells are counts (else % of the cohort).
    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Bool {
        _ = args.flag("monthly")
        return args.flag("counts")
    }

    /// A column per month since the first transaction's month: the one statistic binding reads.
    static func bind(_ counts: Bool, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (_, reads) = try catalog.transactionKey(for: "cohort", at: location)
        let (first, last) = try months(in: catalog, at: location)
        return AnalyticsBinding([("cohort", .date), ("customers", .int)] + (0..<max(0, last - first + 1)).map { ("m\($0)", counts ? .int : .double) },
                                reads: reads + [Dependencies.calendar])
    }

    static func run(_ counts: Bool, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "cohort", at: location)
        return try data.cohort(counts: counts, calendar: catalog.calendar, reads: reads + [Dependencies.calendar], memoryLimit: catalog.memoryLimit, at: location)
    }

    /// A line for the working when the as-of date falls before the end of its month: the last
    /// month's figures then cover part of it (a Jalali club's data often ends mid-month).
    static func partialMonthNote(_ calendar: CalendarKind, asOf: Int32) -> String? {
        let m = calendar.monthIndex(asOf)
        return partialNote(calendar, asOf: asOf, start: calendar.firstDay(ofMonth: m), next: calendar.firstDay(ofMonth: m + 1), period: "month")
    }

    /// The same for any period that runs from `start` to the day before `next`.
    static func partialNote(_ calendar: CalendarKind, asOf: Int32, start: Int32, next: Int32, period: String) -> String? {
        guard asOf < next - 1 else { return nil }
        return "the last \(period), from \(calendar.format(start)), is partial: \(asOf - start + 1) of its \(next - start) days, to the as-of date; its figures are not comparable with a whole \(period)'s"
    }

    /// Refuses a span of days the calendar cannot count months in (Jalali: the years 1178–1501).
    static func checkSpan(_ calendar: CalendarKind, _ low: Int32, _ high: Int32, at: SourceLocation) throws(Diagnostic) {
        guard calendar.covers(low, high) else {
            throw Diagnostic("the transactions run from \(CivilDate.format(low)) to \(CivilDate.format(high)), outside the Jalali years clubsh counts months in (1178–1501)", at: at,
                             hint: "`.calendar gregorian` counts them in Gregorian months")
        }
    }
}

extension CohortCommand {
    /// The month of the first transaction and of the as-of date (as year × 12 + month − 1):
    /// the span of cohort's columns. Reads the date and customer columns, as TransactionData
    /// keeps them (rows without either, or after the as-of date, take no part).
    static func months(in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> (first: Int, last: Int) {
        guard let roles = catalog.transactions else { throw Diagnostic("`cohort` needs the transactions: name them first with `use`", at: location) }
        // An engine's transactions: the first day is found there, by one small query.
        if catalog.transactionsAreRemote {
            guard let first = try catalog.remoteFirstDay(roles, asOf: catalog.asOf) else { throw Diagnostic("there are no transactions", at: location) }
            return (catalog.calendar.monthIndex(first), catalog.calendar.monthIndex(catalog.asOf))
        }
        let table = try catalog.table(named: roles.table, at: location)
        guard let dates = table.column(roles.date), let keys = table.column(roles.customer) else {
            throw Diagnostic("the transactions have no column `\(roles.date)`; run `use` again", at: location)
        }
        var first = Int64.max
        let last = Int64(catalog.asOf)
        func scan<T: BinaryInteger>(_ a: [T], _ day: (T) -> Int64) {
            let checked = dates.validity != nil || keys.validity != nil
            for i in a.indices where !checked || (!dates.isNull(i) && !keys.isNull(i)) {
                let d = day(a[i])
                if d <= last && d < first { first = d }
            }
        }
        switch dates.storage {
        case .date(let a): scan(a) { Int64($0) }
        case .dateTime(let a): scan(a) { floorDiv($0, 86400) }
        default: break
        }
        guard first != .max else { throw Diagnostic("there are no transactions", at: location) }
        return (catalog.calendar.monthIndex(Int32(first)), catalog.calendar.monthIndex(catalog.asOf))
    }

}

extension TransactionData {
    /// The cohort table: a row per month of first purchase, a column per month since.
    func cohort(counts: Bool, calendar: CalendarKind = .gregorian, reads: [String], memoryLimit: MemoryLimit, at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        // The summary first: the days' range is then a pass over the customers.
        let s = data.summary()
        let range = data.dayRange()
        if let (low, high) = range { try CohortCommand.checkSpan(calendar, low, max(high, data.asOf), at: at) }
        let monthIndex = calendar.monthIndex
        // Each customer's first month, from a table of each day's month when the days span
        // fewer than 2^16.
        let cohortOf: [Int]
        if let (low, high) = range, Int(high) - Int(low) < 1 << 16 {
            let monthOfDay = (low...high).map(monthIndex)
            cohortOf = s.first.map { monthOfDay[Int($0 - low)] }
        } else {
            cohortOf = s.first.map(monthIndex)
        }
        guard let firstMonth = cohortOf.min() else { throw Diagnostic("there are no transactions", at: at) }
        let lastMonth = monthIndex(data.asOf)
        let cohorts = max(0, lastMonth - firstMonth + 1)
        // The table is cohorts × cohorts cells: counted, then as a column of doubles and a bit each.
        try memoryLimit.check(cohorts * cohorts * 17, for: "a cohort table of \(grouped(cohorts)) months by \(grouped(cohorts))")
        var size = [Int](repeating: 0, count: cohorts)
        for c in cohortOf where c - firstMonth < cohorts { size[c - firstMonth] += 1 }
        var active = [[Int]](repeating: [Int](repeating: 0, count: cohorts), count: cohorts)
        if let months = data.customerMonths(calendar), months.first == firstMonth, months.span == cohorts {
            // Each customer's months as bits: the lowest is the cohort.
            for c in 0..<data.customerCount {
                let row = cohortOf[c] - firstMonth
                months.forEachMonth(of: c) { m in
                    let k = m - row
                    if row >= 0 && row < cohorts && k >= 0 && k < cohorts { active[row][k] += 1 }
                }
            }
        } else {
            countActive(&active, cohortOf: cohortOf, firstMonth: firstMonth, lastMonth: lastMonth, calendar: calendar, range: range)
        }
        var names = ["cohort", "customers"]
        var columns: [Column] = [
            Column(.date((0..<cohorts).map { m in calendar.firstDay(ofMonth: firstMonth + m) })),
            Column(.int(size.map(Int64.init))),
        ]
        for k in 0..<cohorts {
            names.append("m\(k)")
            // A cell exists only where month k has begun by the as-of date.
            let cells: [Double?] = (0..<cohorts).map { row in
                guard row + k < cohorts, size[row] > 0 else { return nil }
                return counts ? Double(active[row][k]) : (Double(active[row][k]) / Double(size[row]) * 1000).rounded() / 10
            }
            columns.append(counts ? intColumn(cells.map { $0.map { Int64($0) } }) : doubleColumn(cells))
        }
        return AnalyticsResult(table: Table(columnNames: names, columns: columns),
                               work: ["cohorts by \(calendar == .jalali ? "Jalali " : "")month of first purchase, as of \(calendar.format(data.asOf)); m\u{2080} is the first month; cells are \(counts ? "active customers" : "% of the cohort active (to 0.1%)")"]
                                   + [CohortCommand.partialMonthNote(calendar, asOf: data.asOf)].compactMap { $0 },
                               reads: reads)
    }

    /// The distinct (customer, month) pairs counted into `active[cohort][months since]`, one pass
    /// over the transactions: a bit per customer and month of the span (a set when that would be
    /// too many bits), and each day's month from a table over the days.
    private func countActive(_ active: inout [[Int]], cohortOf: [Int], firstMonth: Int, lastMonth: Int, calendar: CalendarKind,
                             range: (low: Int32, high: Int32)?) {
        let data = self
        let monthIndex = calendar.monthIndex
        let cohorts = active.count
        let span = max(cohorts, 1)
        var bits = data.customerCount.multipliedReportingOverflow(by: span).partialValue <= 1 << 32
            ? [UInt64](repeating: 0, count: (data.customerCount * span + 63) / 64) : []
        var seen = Set<Int64>()
        func firstTime(_ c: Int, _ m: Int) -> Bool {
            guard !bits.isEmpty else { return seen.insert(Int64(c) << 32 | Int64(m)).inserted }
            let bit = c * span + (m - firstMonth)
            let mask: UInt64 = 1 << UInt64(bit & 63)
            if bits[bit >> 6] & mask != 0 { return false }
            bits[bit >> 6] |= mask
            return true
        }
        let lowDay = range?.low ?? 0, highDay = range?.high ?? 0
        let monthOfDay = Int(highDay) - Int(lowDay) < 1 << 16 ? (lowDay...highDay).map(monthIndex) : []
        for i in 0..<data.count {
            let c = Int(data.customer[i])
            let m = monthOfDay.isEmpty ? monthIndex(data.day[i]) : monthOfDay[Int(data.day[i] - lowDay)]
            guard m <= lastMonth, m >= firstMonth, firstTime(c, m) else { continue }
            let row = cohortOf[c] - firstMonth, k = m - cohortOf[c]
            if row >= 0 && row < cohorts && k >= 0 && k < cohorts { active[row][k] += 1 }
        }
    }
}
