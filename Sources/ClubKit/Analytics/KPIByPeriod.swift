/// `kpi by month` and `kpi by quarter`: the board's counting measures per calendar month or
/// quarter, in the session's calendar (`.calendar jalali`: Farvardin … Esfand, and Farvardin–
/// Khordad is the first quarter). clubsh's own: the seeds define the measures, not the buckets.
///
/// For each period from the one of the first transaction to the one of the as-of date: orders
/// (transactions), revenue (their amounts), active customers (with a purchase in it), new
/// customers (their first purchase in it) and AOV = revenue / orders (null without orders).
enum KPIPeriod: String, CaseIterable, Sendable {
    case month, quarter

    static func schema(_ period: KPIPeriod) -> [(String, DataType)] {
        [(period.rawValue, .date), ("orders", .int), ("revenue", .double), ("active_customers", .int), ("new_customers", .int), ("aov", .double)]
    }

    /// The period a day is in, as one number counted in months of `calendar`.
    func index(_ day: Int32, _ calendar: CalendarKind) -> Int {
        let m = calendar.monthIndex(day)
        return self == .month ? m : (m >= 0 ? m / 3 : (m - 2) / 3)
    }

    /// The first day of period `index`.
    func firstDay(_ index: Int, _ calendar: CalendarKind) -> Int32 {
        calendar.firstDay(ofMonth: self == .month ? index : index * 3)
    }
}

extension TransactionData {
    func kpi(by period: KPIPeriod, calendar: CalendarKind, reads: [String], memoryLimit: MemoryLimit, at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        guard let firstDay = data.day.min(), let lastDay = data.day.max() else { throw Diagnostic("there are no transactions", at: at) }
        try CohortCommand.checkSpan(calendar, firstDay, max(lastDay, data.asOf), at: at)
        let first = period.index(firstDay, calendar), count = period.index(max(lastDay, data.asOf), calendar) - first + 1
        try memoryLimit.check(count * 48, for: "a row for each of \(grouped(count)) \(period.rawValue)s")
        var orders = [Int64](repeating: 0, count: count), active = orders, new = orders
        // Each period's revenue is a sum of money (`Money`), at the amounts' scale.
        var sums = MoneySums(count: count, scale: data.moneyScale, checked: false)
        // Dates repeat: the period of each day of the span is looked up, not computed per row.
        let periodOfDay = Int(lastDay) - Int(firstDay) < 1 << 16 ? (firstDay...lastDay).map { period.index($0, calendar) - first } : []
        // One (period, customer) key per transaction, sorted: each distinct key is an active customer.
        var keys = [Int64](repeating: 0, count: data.count)
        for i in 0..<data.count {
            let k = periodOfDay.isEmpty ? period.index(data.day[i], calendar) - first : periodOfDay[Int(data.day[i] - firstDay)]
            orders[k] += 1
            sums.add(data.amount[i], to: k)
            keys[i] = Int64(k) << 32 | Int64(data.customer[i])
        }
        keys.sort()
        let revenue = sums.values
        let firstOf = data.summary().first
        for (j, key) in keys.enumerated() where j == 0 || keys[j - 1] != key {
            let k = Int(key >> 32), c = Int(key & 0xFFFF_FFFF)
            active[k] += 1
            if period.index(firstOf[c], calendar) - first == k { new[k] += 1 }
        }
        let columns = [
            Column(.date((0..<count).map { period.firstDay(first + $0, calendar) })),
            Column(.int(orders)), Column(.double(revenue)), Column(.int(active)), Column(.int(new)),
            doubleColumn((0..<count).map { orders[$0] == 0 ? nil : revenue[$0] / Double(orders[$0]) }),
        ]
        let name = calendar == .jalali ? "Jalali \(period.rawValue)" : "calendar \(period.rawValue)"
        return AnalyticsResult(table: Table(columnNames: KPIPeriod.schema(period).map(\.0), columns: columns),
                               work: ["KPIs by \(name) as of \(calendar.format(data.asOf)): orders, revenue, active customers (a purchase in the \(period.rawValue)), new customers (the first purchase in it), AOV = revenue / orders"]
                                   + [CohortCommand.partialNote(calendar, asOf: data.asOf, start: period.firstDay(period.index(data.asOf, calendar), calendar),
                                                                next: period.firstDay(period.index(data.asOf, calendar) + 1, calendar), period: period.rawValue)].compactMap { $0 },
                               reads: reads)
    }
}
