/// The transactions named by `use`, as flat arrays for the analytics: a dense customer number
/// per row, the day, the amount. The catalog keeps them while the `use` table, its roles and the
/// as-of date are unchanged (`SessionCatalog.transactionData`), with what the commands work out
/// per customer from them (`CustomerFacts`), so rfm, types, pareto, kpi, retention … share it.
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
    /// What has been worked out per customer from these transactions, shared by every copy.
    /// Whatever changes the arrays above starts a new one (`filtered`).
    private(set) var facts = CustomerFacts()

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
        out.facts = CustomerFacts()
        return out
    }

    /// Per customer, whether they have a transaction in the days [first.from, first.to] (bit 1)
    /// and in [second.from, second.to] (bit 2): both periods in one pass.
    func active(_ first: (from: Int32, to: Int32), _ second: (from: Int32, to: Int32)) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: customerCount)
        for i in 0..<count {
            let d = day[i]
            let bits: UInt8 = (d >= first.from && d <= first.to ? 1 : 0) | (d >= second.from && d <= second.to ? 2 : 0)
            if bits != 0 { out[Int(customer[i])] |= bits }
        }
        return out
    }

    /// Per customer: first and last day, transactions, total spend (each customer's amounts
    /// added by `Money`'s rule, at the scale of all the amounts). Worked out once per data.
    func summary() -> CustomerSummary {
        if let kept = facts.summary { return kept }
        let (s, scale) = Self.summaryAndScale(customer, day, amount, customerCount, parts: customer.count >= 1 << 16 && customerCount >= 2 ? 2 : 1)
        facts.summary = s
        facts.moneyScale = scale
        return s
    }

    /// The decimal scale of the amounts (`Money`), nil when they have none: the customers'
    /// spends are summed at it, and so is any total of those spends.
    var moneyScale: Int? {
        _ = summary()
        return facts.moneyScale
    }

    /// The summary's pass, on `parts` cores: each takes its share of the customers and reads
    /// every transaction, so each customer's amounts are still added in row order and the
    /// result is the same for any `parts`.
    static func summary(_ customer: [Int32], _ day: [Int32], _ amount: [Double], _ customerCount: Int, parts: Int) -> CustomerSummary {
        summaryAndScale(customer, day, amount, customerCount, parts: parts).summary
    }

    /// The summary and the amounts' scale. With a scale, each customer's amounts are added as
    /// whole units of 10^-scale (a wrapped sum and a count of its wraps, so never overflowing)
    /// and the total made a double once; without one, compensated.
    static func summaryAndScale(_ customer: [Int32], _ day: [Int32], _ amount: [Double], _ customerCount: Int,
                                parts: Int) -> (summary: CustomerSummary, scale: Int?) {
        let scale = amount.withUnsafeBufferPointer { Money.scale(of: $0, parts: parts) }
        let exact = scale != nil, p = Money.powers[scale ?? 0]
        var first = [Int32](repeating: .max, count: customerCount), last = [Int32](repeating: .min, count: customerCount)
        var n = [Int](repeating: 0, count: customerCount), spend = [Double](repeating: 0, count: customerCount)
        // Exact: units and wraps; compensated: the compensation (spend holds the sum).
        var units = [Int64](repeating: 0, count: exact ? customerCount : 0), carry = units
        var compensation = [Double](repeating: 0, count: exact ? 0 : customerCount)
        // SAFETY: part k writes only the slots of customers in its own range [low, high) of the
        // arrays, whose buffers are allocated above and outlive `Parallel.map`, which returns
        // when both parts are done; the transactions are only read. `units` and `carry` have
        // customerCount slots when `exact`, `compensation` when not, and only those are touched.
        first.withUnsafeMutableBufferPointer { first in
        last.withUnsafeMutableBufferPointer { last in
        n.withUnsafeMutableBufferPointer { n in
        spend.withUnsafeMutableBufferPointer { spend in
        units.withUnsafeMutableBufferPointer { units in
        carry.withUnsafeMutableBufferPointer { carry in
        compensation.withUnsafeMutableBufferPointer { compensation in
        customer.withUnsafeBufferPointer { customer in
        day.withUnsafeBufferPointer { day in
        amount.withUnsafeBufferPointer { amount in
            let shared = Unchecked((first, last, n, spend, units, carry, compensation, customer, day, amount))
            _ = Parallel.map(parts) { k in
                let (first, last, n, spend, units, carry, compensation, customer, day, amount) = shared.value
                let low = Int32(customerCount * k / parts), high = Int32(customerCount * (k + 1) / parts)
                for i in 0..<customer.count {
                    let c32 = customer[i]
                    guard c32 >= low && c32 < high else { continue }
                    let c = Int(c32), d = day[i], x = amount[i]
                    if d < first[c] { first[c] = d }
                    if d > last[c] { last[c] = d }
                    n[c] += 1
                    if exact {
                        // Money.units, per customer.
                        let m = Money.nearest(x * p)
                        let (sum, wrapped) = units[c].addingReportingOverflow(m)
                        units[c] = sum
                        if wrapped { carry[c] += m > 0 ? 1 : -1 }
                    } else {
                        // CompensatedSum.add, on the two arrays.
                        let sum = spend[c], t = sum + x
                        compensation[c] += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
                        spend[c] = t
                    }
                }
                return 0
            }
        } } } } } } } } } }
        if let scale {
            for c in 0..<customerCount { spend[c] = Money.double(units[c], carry: carry[c], scale: scale) }
        } else {
            for c in 0..<customerCount { spend[c] += compensation[c] }
        }
        return ((first, last, n, spend), scale)
    }

    /// Customer numbers ordered by key (for ties "broken by customer"). Worked out once per data.
    func keyOrder() -> [Int] {
        if let kept = facts.keyOrder { return kept }
        let order = Self.keyOrder(keys, customerCount)
        facts.keyOrder = order
        return order
    }

    private static func keyOrder(_ keys: Column, _ n: Int) -> [Int] {
        // Whole numbers without nulls (the usual customer id): a radix sort of the values.
        if keys.nullCount == 0, case .int(let values) = keys.storage, values.count == n {
            return Radix.order(values.map(Radix.key)).map(Int.init)
        }
        let less = Sorting.lessThan(keys)
        return (0..<n).sorted { less($0, $1) || (!less($1, $0) && $0 < $1) }
    }

    /// The transactions grouped by customer, each customer's in day order. Worked out once per data.
    func byCustomer() -> CustomerIndex {
        if let kept = facts.byCustomer { return kept }
        let index = CustomerIndex(self)
        facts.byCustomer = index
        return index
    }
}

/// Per customer (by dense number): first and last day, transactions, total spend.
typealias CustomerSummary = (first: [Int32], last: [Int32], transactions: [Int], spend: [Double])

/// What the analytics work out per customer from one `TransactionData`, each part when a command
/// first needs it: a class, so that the copy each command takes of the catalog's data shares it.
/// Only the session's thread reads and fills it.
final class CustomerFacts {
    var summary: CustomerSummary?
    /// The amounts' decimal scale (`Money`), found with the summary.
    var moneyScale: Int?
    var keyOrder: [Int]?
    var byCustomer: CustomerIndex?
}

/// The transactions in customer order: customer c's are `row[start[c] ..< start[c + 1]]`, by
/// day (the same day in row order), with their days in `day`. A counting sort by customer, which
/// keeps row order, then a sort of any customer whose days are out of order.
struct CustomerIndex {
    /// Offsets into `row` and `day`, customerCount + 1 of them.
    var start: [Int32]
    /// Positions in the TransactionData's arrays (not table rows).
    var row: [Int32]
    var day: [Int32]

    init(_ data: TransactionData) {
        let n = data.count, customers = data.customerCount
        var start = [Int32](repeating: 0, count: customers + 1)
        for c in data.customer { start[Int(c) + 1] += 1 }
        for c in 0..<customers { start[c + 1] += start[c] }
        var next = start
        var row = [Int32](repeating: 0, count: n), day = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let c = Int(data.customer[i])
            let at = Int(next[c])
            row[at] = Int32(i)
            day[at] = data.day[i]
            next[c] += 1
        }
        for c in 0..<customers {
            let (low, high) = (Int(start[c]), Int(start[c + 1]))
            var sorted = true
            var j = low + 1
            while j < high { if day[j] < day[j - 1] { sorted = false; break }; j += 1 }
            if sorted { continue }
            // (day, position) as one number: the day above, the position (< 2^31) below.
            var pairs = (low..<high).map { Int64(day[$0]) << 32 | Int64(row[$0]) }
            pairs.sort()
            for (k, p) in pairs.enumerated() {
                day[low + k] = Int32(truncatingIfNeeded: p >> 32)
                row[low + k] = Int32(truncatingIfNeeded: p)
            }
        }
        (self.start, self.row, self.day) = (start, row, day)
    }
}

/// Least-significant-digit radix sorts: stable, linear in the count.
enum Radix {
    /// A key that orders as the integer does.
    static func key(_ x: Int64) -> UInt64 { UInt64(bitPattern: x) ^ (1 << 63) }

    /// A key that orders as the number does (-0 as 0; NaN, which no amount is, after +∞).
    static func key(_ x: Double) -> UInt64 {
        let bits = (x == 0 ? 0 : x).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The positions of `keys` in ascending order of key, equal keys in position order: a byte
    /// at a time, keys moved with their positions so every pass reads in order, and a byte
    /// that is the same in every key skipped (counts for all eight come from one first pass).
    static func order(_ keys: [UInt64]) -> [Int32] {
        let n = keys.count
        var order = [Int32](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = Int32(i) }; c = n }
        guard n > 1 else { return order }
        var counts = [Int](repeating: 0, count: 8 * 256)
        for k in keys {
            for byte in 0..<8 { counts[byte << 8 | Int((k >> UInt64(byte * 8)) & 0xFF)] += 1 }
        }
        var key = keys, otherKey = keys, other = order
        // SAFETY: every index below is a position < n in buffers of n, or a bucket < 256 of a
        // byte's 256 counts; the buffers are this function's own arrays.
        key.withUnsafeMutableBufferPointer { key in otherKey.withUnsafeMutableBufferPointer { otherKey in
        order.withUnsafeMutableBufferPointer { order in other.withUnsafeMutableBufferPointer { other in
        counts.withUnsafeMutableBufferPointer { counts in
            var (key, otherKey, order, other) = (key, otherKey, order, other)
            var flipped = false
            for byte in 0..<8 {
                let count = counts.baseAddress! + byte << 8
                // A byte every key shares orders nothing.
                if (0..<256).contains(where: { count[$0] == n }) { continue }
                var sum = 0
                for d in 0..<256 { let c = count[d]; count[d] = sum; sum += c }
                let shift = UInt64(byte * 8)
                for i in 0..<n {
                    let k = key[i], d = Int((k >> shift) & 0xFF)
                    let at = count[d]
                    otherKey[at] = k
                    other[at] = order[i]
                    count[d] = at + 1
                }
                swap(&key, &otherKey)
                swap(&order, &other)
                flipped.toggle()
            }
            // After an odd number of passes the result is in the second buffer: copy it home.
            if flipped { _ = other.update(fromContentsOf: order) }
        } } } } }
        return order
    }
}
