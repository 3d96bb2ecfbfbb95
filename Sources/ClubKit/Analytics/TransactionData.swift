/// The transactions named by `use`, as flat arrays for the analytics: a dense customer number
/// per row, the day, the amount. Built once per command from the table's columns.
struct TransactionData {
    /// Dense customer number (0..<customerCount) per transaction, in order of first appearance.
    var customer: [Int32]
    /// Day number per transaction (a date-time counts as its day).
    var day: [Int32]
    /// Amount per transaction (0 where null).
    var amount: [Double]
    var customerCount: Int
    /// The customer key of each dense number (the `use` customer column's values).
    var keys: Column
    var keyName: String
    var asOf: Int32
    /// The session's calendar, for the dates the working prints.
    var calendar: CalendarKind = .gregorian
    /// The row of the transactions table each transaction came from; nil when every row takes
    /// part, in order (so a command can read another column of the same rows, such as `channel`).
    var rows: [Int32]?

    var count: Int { customer.count }

    init(_ table: Table, _ roles: TransactionRoles, asOf: Int32) {
        var keyColumn = table.column(roles.customer)!
        let dates = table.column(roles.date)!
        let amounts = table.column(roles.amount)!
        var allDays: [Int32]
        switch dates.storage {
        case .date(let a): allDays = a
        case .dateTime(let a): allDays = a.map { Int32(floorDiv($0, 86400)) }
        default: allDays = [Int32](repeating: 0, count: table.rowCount)
        }
        var allAmounts: [Double]
        switch amounts.storage {
        case .double(let a): allAmounts = a
        case .int(let a): allAmounts = a.map { Double($0) }
        case .int32(let a): allAmounts = a.map { Double($0) }
        default: allAmounts = [Double](repeating: 0, count: table.rowCount)
        }
        if let v = amounts.validity { for i in 0..<allAmounts.count where !v.isValid(i) { allAmounts[i] = 0 } }
        // Rows without a customer or a date, or dated after the as-of date, take no part.
        if keyColumn.validity != nil || dates.validity != nil || allDays.contains(where: { $0 > asOf }) {
            let keep = (0..<table.rowCount).filter { !keyColumn.isNull($0) && !dates.isNull($0) && allDays[$0] <= asOf }
            rows = keep.map { Int32($0) }
            keyColumn = keyColumn.gather(keep.map { Int32($0) })
            allDays = keep.map { allDays[$0] }
            allAmounts = keep.map { allAmounts[$0] }
        }
        let grouping = Grouping(columns: [keyColumn], n: keyColumn.count)
        customer = grouping.ids
        customerCount = keyColumn.count == 0 ? 0 : grouping.count
        keys = keyColumn.gather(keyColumn.count == 0 ? [] : grouping.firstRow)
        keyName = roles.customer
        day = allDays
        amount = allAmounts
        self.asOf = asOf
    }

    /// The transactions of the customers (by dense number) for which `keep` holds, numbered
    /// afresh in the same order.
    func filtered(_ keep: (Int) -> Bool) -> TransactionData {
        var newNumber = [Int32](repeating: -1, count: customerCount)
        var kept: [Int32] = []
        for c in 0..<customerCount where keep(c) {
            newNumber[c] = Int32(kept.count)
            kept.append(Int32(c))
        }
        let rows = (0..<count).filter { newNumber[Int(customer[$0])] >= 0 }
        var out = self
        out.customer = rows.map { newNumber[Int(customer[$0])] }
        out.day = rows.map { day[$0] }
        out.amount = rows.map { amount[$0] }
        out.rows = rows.map { self.rows?[$0] ?? Int32($0) }
        out.customerCount = kept.count
        out.keys = keys.gather(kept)
        return out
    }

    /// Customers with at least one transaction in [from, to], as a membership array.
    func active(from: Int32, to: Int32) -> [Bool] {
        var out = [Bool](repeating: false, count: customerCount)
        for i in 0..<count where day[i] >= from && day[i] <= to { out[Int(customer[i])] = true }
        return out
    }

    /// Per customer: first and last day, transactions, total spend.
    func summary() -> (first: [Int32], last: [Int32], transactions: [Int], spend: [Double]) {
        var first = [Int32](repeating: .max, count: customerCount), last = [Int32](repeating: .min, count: customerCount)
        var n = [Int](repeating: 0, count: customerCount), spend = [CompensatedSum](repeating: CompensatedSum(), count: customerCount)
        for i in 0..<count {
            let c = Int(customer[i])
            first[c] = min(first[c], day[i])
            last[c] = max(last[c], day[i])
            n[c] += 1
            spend[c].add(amount[i])
        }
        return (first, last, n, spend.map(\.value))
    }

    /// Customer numbers ordered by key (for ties "broken by customer").
    func keyOrder() -> [Int] {
        let less = Sorting.lessThan(keys)
        return (0..<customerCount).sorted { less($0, $1) || (!less($1, $0) && $0 < $1) }
    }
}
