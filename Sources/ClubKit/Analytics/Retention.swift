/// Retention and churn (brief §6).
///
/// From numbers, as seed 003 writes them («نرخ حفظ مشتری = (تعداد مشتریان باقی‌مانده / تعداد کل
/// مشتریان در ابتدای دوره) × ۱۰۰»): retention = remaining / S × 100; churn = lost / S × 100 =
/// 100 − retention. The customer retention rate CRR = (E − N) / S × 100 is not in the seeds: it
/// counts customers who came back after a gap as kept, so it is its own figure.
///
/// From data, for a period [A, B] of L days: S = customers active in the base period
/// [A − L, A − 1]; retained R = those of S active in [A, B] (seed 003's "remaining"); lost = S − R;
/// E = customers active in [A, B]; N = customers whose first transaction is in [A, B];
/// reactivated = E − R − N, active again after a gap. retention = R / S × 100,
/// churn = 100 − retention, CRR = (E − N) / S × 100. `by month` uses each calendar month and the
/// month before it.
enum RetentionCommand: AnalyticsCommandDefinition {
    static func display(column: String) -> DisplayHint { ["retention", "churn", "crr"].contains(column) ? .percent : .plain }

    static let help = HelpTopic(name: "retention", group: .analytics, usage: "retention start S remaining R · retention start S end E new N · retention from DATE to DATE · retention by month", meaning: "retention = remaining / start × 100 (seed 003); CRR = (E − N) / S × 100; or from the data", example: "retention start 100 remaining 90")

    enum Options {
        /// `start S remaining R`: seed 003's retention rate.
        case remaining(start: Double, remaining: Double)
        /// `start S end E new N`: the customer retention rate, CRR.
        case crr(start: Double, end: Double, new: Double)
        case byMonth
        case period(from: Int32, to: Int32)
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let at = args.command.location
        if let start = try args.number("start") {
            guard start > 0 else {
                throw Diagnostic("start is \(shown(start)): with no customers at the start of the period there is no retention rate", at: at)
            }
            let (remainingAt, endAt, newAt) = (args.valueLocation("remaining"), args.valueLocation("end"), args.valueLocation("new"))
            if let remaining = try args.number("remaining") {
                guard remaining >= 0 else { throw Diagnostic("remaining is \(shown(remaining)): a count of customers is not negative", at: remainingAt) }
                guard remaining <= start else {
                    throw Diagnostic("remaining is \(shown(remaining)), more than the \(shown(start)) at the start: remaining counts those of them still buying", at: remainingAt,
                                     hint: "customers gained in the period are not remaining; for a figure that counts them use `start S end E new N` (CRR)")
                }
                return .remaining(start: start, remaining: remaining)
            }
            guard let end = try args.number("end") else {
                throw Diagnostic("`retention start …` needs `remaining`", at: at, hint: "for example: retention start 100 remaining 90")
            }
            guard let new = try args.number("new") else {
                throw Diagnostic("`retention start S end E` needs `new N`: the end count includes customers gained in the period", at: at,
                                 hint: "retention is `start S remaining R` (seed 003); `start S end E new N` gives CRR")
            }
            guard end >= 0 else { throw Diagnostic("end is \(shown(end)): a count of customers is not negative", at: endAt) }
            guard new >= 0 else { throw Diagnostic("new is \(shown(new)): a count of customers is not negative", at: newAt) }
            guard new <= end else {
                throw Diagnostic("new is \(shown(new)), more than the \(shown(end)) at the end: new customers are among those at the end", at: newAt)
            }
            return .crr(start: start, end: end, new: new)
        }
        if args.flag("by") {
            guard args.flag("month") else { throw Diagnostic("`retention by` takes `month`", at: at, hint: "retention by month") }
            return .byMonth
        }
        guard let from = try args.date("from"), let to = try args.date("to") else {
            throw Diagnostic("`retention` takes `start S remaining R`, `start S end E new N`, `from DATE to DATE` or `by month`", at: at,
                             hint: "for example: retention from 2024-04-01 to 2024-06-30")
        }
        guard to >= from else { throw Diagnostic("the period ends before it starts", at: at) }
        return .period(from: from, to: to)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        switch o {
        case .remaining:
            return AnalyticsBinding(["start", "remaining", "lost", "retention", "churn"].map { ($0, .double) }, reads: [])
        case .crr:
            return AnalyticsBinding(["start", "end", "new", "crr"].map { ($0, .double) }, reads: [])
        case .byMonth: return AnalyticsBinding(RetentionPeriod.monthlySchema, reads: try catalog.transactionKey(for: "retention", at: location).reads + [Dependencies.calendar])
        case .period: return AnalyticsBinding(RetentionPeriod.schema, reads: try catalog.transactionKey(for: "retention", at: location).reads)
        }
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        switch o {
        case .remaining(let start, let remaining):
            return typed(start: start, remaining: remaining)
        case .crr(let start, let end, let new):
            return typed(start: start, end: end, new: new)
        case .byMonth:
            let (data, reads) = try catalog.transactionData(for: "retention", at: location)
            return try data.retentionByMonth(calendar: catalog.calendar, reads: reads + [Dependencies.calendar], isCancelled: catalog.isCancelled, at: location)
        case .period(let from, let to):
            let (data, reads) = try catalog.transactionData(for: "retention", at: location)
            return try data.retentionPeriod(from: from, to: to, reads: reads, at: location)
        }
    }
}

enum ChurnCommand: AnalyticsCommandDefinition {
    static func display(column: String) -> DisplayHint { ["retention", "churn", "crr"].contains(column) ? .percent : .plain }

    static let help = HelpTopic(name: "churn", group: .analytics, usage: "churn start S lost L · churn retention R% · churn from DATE to DATE", meaning: "churn = lost / start × 100 = 100 − retention", example: "churn start 100 lost 10")

    enum Options {
        case typed(start: Double, lost: Double)
        case retention(percent: Double)
        case byMonth
        case period(from: Int32, to: Int32)
    }

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let at = args.command.location
        if let start = try args.number("start") {
            let lostAt = args.valueLocation("lost")
            guard let lost = try args.number("lost") else { throw Diagnostic("`churn start …` needs `lost`", at: at, hint: "for example: churn start 100 lost 10") }
            guard start > 0 else {
                throw Diagnostic("start is \(shown(start)): with no customers at the start of the period there is no churn rate", at: at)
            }
            guard lost >= 0 else { throw Diagnostic("lost is \(shown(lost)): a count of customers is not negative", at: lostAt) }
            guard lost <= start else {
                throw Diagnostic("lost is \(shown(lost)), more than the \(shown(start)) at the start: only customers who were there can be lost", at: lostAt)
            }
            return .typed(start: start, lost: lost)
        }
        // A retention above 100% would keep more customers than there were.
        if let percent = try args.percent("retention", in: 0...100) {
            return .retention(percent: percent)
        }
        if args.flag("by") {
            guard args.flag("month") else { throw Diagnostic("`churn by` takes `month`", at: at) }
            return .byMonth
        }
        guard let from = try args.date("from"), let to = try args.date("to") else {
            throw Diagnostic("`churn` takes `start N lost N`, `retention N%` or `from DATE to DATE`", at: at, hint: "for example: churn start 100 lost 10")
        }
        guard to >= from else { throw Diagnostic("the period ends before it starts", at: at) }
        return .period(from: from, to: to)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        switch o {
        case .typed: return AnalyticsBinding([("start", .double), ("lost", .double), ("churn", .double)], reads: [])
        case .retention: return AnalyticsBinding([("retention", .double), ("churn", .double)], reads: [])
        case .byMonth: return AnalyticsBinding(RetentionPeriod.monthlySchema, reads: try catalog.transactionKey(for: "churn", at: location).reads + [Dependencies.calendar])
        case .period: return AnalyticsBinding(RetentionPeriod.schema, reads: try catalog.transactionKey(for: "churn", at: location).reads)
        }
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        switch o {
        case .typed(let start, let lost):
            return typed(start: start, lost: lost)
        case .retention(let percent):
            return fromRetention(percent)
        case .byMonth:
            let (data, reads) = try catalog.transactionData(for: "churn", at: location)
            return try data.retentionByMonth(calendar: catalog.calendar, reads: reads + [Dependencies.calendar], isCancelled: catalog.isCancelled, at: location)
        case .period(let from, let to):
            let (data, reads) = try catalog.transactionData(for: "churn", at: location)
            var r = try data.retentionPeriod(from: from, to: to, reads: reads, at: location)
            r.work = r.work.filter { $0.hasPrefix("period") || $0.hasPrefix("churn") || $0.hasPrefix("retention") }
            return r
        }
    }
}

extension RetentionCommand {
    /// `retention start S remaining R`: seed 003's three formulas on one example, so they agree.
    static func typed(start: Double, remaining: Double) -> AnalyticsResult {
        let r = remaining / start * 100, lost = start - remaining
        let c = lost / start * 100
        return AnalyticsResult(table: row([("start", .double(start)), ("remaining", .double(remaining)), ("lost", .double(lost)),
                                           ("retention", .double(r)), ("churn", .double(c))]),
                               work: ["retention = (remaining / start) × 100 = (\(shown(remaining)) / \(shown(start))) × 100 = \(rate(r))",
                                      "churn = (lost / start) × 100 = (\(shown(lost)) / \(shown(start))) × 100 = \(rate(c)) = 100% − retention"],
                               reads: [])
    }

    /// `retention start S end E new N`: the customer retention rate, which is not seed 003's.
    static func typed(start: Double, end: Double, new: Double) -> AnalyticsResult {
        let crr = (end - new) / start * 100
        return AnalyticsResult(table: row([("start", .double(start)), ("end", .double(end)), ("new", .double(new)), ("crr", .double(crr))]),
                               work: ["CRR = ((end − new) / start) × 100 = ((\(shown(end)) − \(shown(new))) / \(shown(start))) × 100 = \(rate(crr))",
                                      "end − new counts customers kept and customers back after a gap; seed 003's retention is `retention start S remaining R`"]
                                   + (end - new > start ? ["CRR is over 100%: end − new = \(shown(end - new)) is more than the \(shown(start)) at the start, so at least \(shown(end - new - start)) came back after a gap"] : []),
                               reads: [])
    }
}

extension ChurnCommand {
    /// `churn start S lost L`: the textbook formula with the numbers put in.
    static func typed(start: Double, lost: Double) -> AnalyticsResult {
        let c = lost / start * 100
        return AnalyticsResult(table: row([("start", .double(start)), ("lost", .double(lost)), ("churn", .double(c))]),
                               work: ["churn = (lost / start) × 100 = (\(shown(lost)) / \(shown(start))) × 100 = \(rate(c))"], reads: [])
    }

    /// `churn retention R%`: churn = 100% − retention.
    static func fromRetention(_ percent: Double) -> AnalyticsResult {
        let c = 100 - percent
        return AnalyticsResult(table: row([("retention", .double(percent)), ("churn", .double(c))]),
                               work: ["churn = 100% − retention = 100% − \(rate(percent)) = \(rate(c))"], reads: [])
    }
}

extension TransactionData {
    /// Retention over [from, to] against the as long period before it.
    func retentionPeriod(from: Int32, to: Int32, reads: [String], at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        // Days after the as-of date have no data: such a period would count its customers as lost.
        guard to <= data.asOf else {
            throw Diagnostic("the period runs to \(calendar.format(to)), past the as-of date \(calendar.format(data.asOf)): its last \(to - data.asOf) days have no data", at: at,
                             hint: "end the period by \(calendar.format(data.asOf)), or give a later date with `use … as_of`")
        }
        let p = RetentionPeriod(data, from: from, to: to)
        guard p.start > 0 else {
            throw Diagnostic("no customers were active in the base period \(calendar.format(p.baseFrom)) … \(calendar.format(p.baseTo)), so there is no retention rate for \(CivilDate.format(from)) … \(CivilDate.format(to))", at: at,
                             hint: "choose a period with purchases in the \(to - from + 1) days before it")
        }
        return AnalyticsResult(table: p.table, work: p.work(calendar), reads: reads)
    }

    /// Every calendar month against the one before, from each customer's months with a
    /// purchase: one pass over the transactions in customer and day order (`byCustomer`), so a
    /// customer's months come in order and each (customer, month) pair is met once as a run.
    func retentionByMonth(calendar: CalendarKind = .gregorian, reads: [String], isCancelled: () -> Bool, at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let data = self
        guard let (firstDay, lastDay) = data.dayRange() else { throw Diagnostic("there are no transactions", at: at) }
        try CohortCommand.checkSpan(calendar, firstDay, max(lastDay, data.asOf), at: at)
        let monthIndex = calendar.monthIndex
        let first = monthIndex(firstDay), span = monthIndex(data.asOf) - first + 1
        // Per month: customers active, active the month before too, and in their first month.
        var active = [Int](repeating: 0, count: span), retained = active, new = active
        if let months = data.customerMonths(calendar) {
            // From each customer's months as bits: the lowest is the first month, and a month
            // whose bit and the one below are both set is a month retained.
            if isCancelled() { throw Diagnostic.interrupted }
            for c in 0..<data.customerCount {
                var previous = -1
                months.forEachMonth(of: c) { m in
                    active[m] += 1
                    if previous < 0 { new[m] += 1 } else if previous == m - 1 { retained[m] += 1 }
                    previous = m
                }
            }
        } else {
            let monthOfDay = Int(lastDay) - Int(firstDay) < 1 << 16 ? (firstDay...lastDay).map { monthIndex($0) - first } : []
            let index = data.byCustomer()
            if isCancelled() { throw Diagnostic.interrupted }
            for c in 0..<data.customerCount {
                var previous = -1
                for j in Int(index.start[c])..<Int(index.start[c + 1]) {
                    let d = index.day[j]
                    let m = monthOfDay.isEmpty ? monthIndex(d) - first : monthOfDay[Int(d - firstDay)]
                    guard m != previous else { continue }
                    active[m] += 1
                    if previous < 0 { new[m] += 1 } else if previous == m - 1 { retained[m] += 1 }
                    previous = m
                }
            }
        }
        func day(_ m: Int) -> Int32 { calendar.firstDay(ofMonth: first + m) }
        let periods = (1..<max(span, 1)).map { m in
            RetentionPeriod(from: day(m), to: day(m + 1) - 1, baseFrom: day(m - 1), baseTo: day(m) - 1,
                            start: active[m - 1], retained: retained[m], end: active[m], new: new[m])
        }
        let columns: [Column] = [
            Column(.date(periods.map(\.from))),
            Column(.int(periods.map { Int64($0.start) })), Column(.int(periods.map { Int64($0.retained) })), Column(.int(periods.map { Int64($0.lost) })),
            Column(.int(periods.map { Int64($0.end) })), Column(.int(periods.map { Int64($0.new) })), Column(.int(periods.map { Int64($0.reactivated) })),
            doubleColumn(periods.map(\.retention)), doubleColumn(periods.map { $0.retention.map { 100 - $0 } }), doubleColumn(periods.map(\.crr)),
        ]
        let table = Table(columnNames: RetentionPeriod.monthlySchema.names, columns: columns)
        return AnalyticsResult(table: table, work: ["retention by month as of \(calendar.format(data.asOf)): each \(calendar == .jalali ? "Jalali" : "calendar") month against the month before; retention = retained / start × 100 (seed 003's remaining / start), CRR = (end − new) / start × 100",
                                                       "end = retained + new + reactivated (back after a gap): CRR counts the reactivated as kept, so it can pass 100%"]
                                   + [CohortCommand.partialMonthNote(calendar, asOf: data.asOf)].compactMap { $0 }, reads: reads)
    }
}

/// The counts of one retention period.
struct RetentionPeriod {
    var from: Int32, to: Int32, baseFrom: Int32, baseTo: Int32
    var start = 0, retained = 0, lost = 0, end = 0, new = 0

    init(from: Int32, to: Int32, baseFrom: Int32, baseTo: Int32, start: Int, retained: Int, end: Int, new: Int) {
        (self.from, self.to, self.baseFrom, self.baseTo) = (from, to, baseFrom, baseTo)
        (self.start, self.retained, self.lost, self.end, self.new) = (start, retained, start - retained, end, new)
    }

    init(_ data: TransactionData, from: Int32, to: Int32, baseFrom: Int32? = nil, baseTo: Int32? = nil) {
        self.init(data, from: from, to: to, baseFrom: baseFrom, baseTo: baseTo, active: nil, bit: 0)
    }

    /// The base period and the period of [from, to] (as long, just before it) as two periods
    /// for `TransactionData.active`.
    static func periods(from: Int32, to: Int32) -> [(from: Int32, to: Int32)] {
        [(from - (to - from + 1), from - 1), (from, to)]
    }

    /// With `active` from `TransactionData.active`, where bit `bit` marks the base period and
    /// the next bit the period (several periods' bits from one pass); nil: worked out here.
    init(_ data: TransactionData, from: Int32, to: Int32, baseFrom: Int32? = nil, baseTo: Int32? = nil, active: [UInt8]?, bit: Int) {
        let length = to - from + 1
        self.from = from
        self.to = to
        self.baseFrom = baseFrom ?? from - length
        self.baseTo = baseTo ?? from - 1
        let active = active ?? data.active((self.baseFrom, self.baseTo), (from, to))
        let first = data.summary().first
        let (baseBit, periodBit) = (UInt8(1) << UInt8(bit), UInt8(2) << UInt8(bit))
        for c in 0..<data.customerCount {
            let inBase = active[c] & baseBit != 0, inPeriod = active[c] & periodBit != 0
            if inBase { start += 1; if inPeriod { retained += 1 } }
            if inPeriod { end += 1 }
            if first[c] >= from && first[c] <= to { new += 1 }
        }
        lost = start - retained
    }

    /// Active in the period, not in the base period, and not new: back after a gap.
    var reactivated: Int { end - retained - new }
    var retention: Double? { start == 0 ? nil : Double(retained) / Double(start) * 100 }
    var crr: Double? { start == 0 ? nil : Double(end - new) / Double(start) * 100 }

    /// The columns of `table`.
    static let schema = Schema([("from", DataType.date), ("to", .date), ("base_from", .date), ("base_to", .date), ("start", .int), ("retained", .int),
                                ("lost", .int), ("end", .int), ("new", .int), ("reactivated", .int), ("retention", .double), ("churn", .double),
                                ("crr", .double)]
        .map { Schema.Field(name: $0.0, type: $0.1) })

    /// The columns of `retention by month`.
    static let monthlySchema = Schema([("month", DataType.date), ("start", .int), ("retained", .int), ("lost", .int), ("end", .int), ("new", .int),
                                       ("reactivated", .int), ("retention", .double), ("churn", .double), ("crr", .double)].map { Schema.Field(name: $0.0, type: $0.1) })

    var table: Table {
        Table(columnNames: Self.schema.names,
              columns: [Column(.date([from])), Column(.date([to])), Column(.date([baseFrom])), Column(.date([baseTo])),
                        Column(.int([Int64(start)])), Column(.int([Int64(retained)])), Column(.int([Int64(lost)])), Column(.int([Int64(end)])),
                        Column(.int([Int64(new)])), Column(.int([Int64(reactivated)])), doubleColumn([retention]), doubleColumn([retention.map { 100 - $0 }]), doubleColumn([crr])])
    }

    func work(_ calendar: CalendarKind) -> [String] {
        guard let r = retention, let c = crr else { return [] }
        return [
            "period \(calendar.format(from)) … \(calendar.format(to)) (\(to - from + 1) days); base period \(calendar.format(baseFrom)) … \(calendar.format(baseTo))",
            "retention = (retained / start) × 100 = (\(retained) / \(start)) × 100 = \(rate(r)) — seed 003's remaining / start",
            "churn = (lost / start) × 100 = (\(lost) / \(start)) × 100 = \(rate(100 - r)) = 100% − retention",
            "end = retained + new + reactivated = \(retained) + \(new) + \(reactivated) = \(end) (reactivated: back after a gap)",
            "CRR = ((end − new) / start) × 100 = ((\(end) − \(new)) / \(start)) × 100 = \(rate(c)) — counts the reactivated as kept, so it can pass 100%",
        ]
    }
}
