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
        active([first, second])
    }

    /// Per customer, bit k set when they have a transaction in the days of `periods[k]` (up to
    /// eight periods): one pass over the transactions, its rows split between the cores, each
    /// part's bits OR-ed after.
    func active(_ periods: [(from: Int32, to: Int32)]) -> [UInt8] {
        precondition(periods.count <= 8)
        let n = count, customers = customerCount
        let parts = n >= 1 << 16 ? 2 : 1
        func bitsOf(_ d: Int32) -> UInt8 {
            var bits: UInt8 = 0
            for (b, p) in periods.enumerated() where d >= p.from && d <= p.to { bits |= 1 << UInt8(b) }
            return bits
        }
        // Each day's bits from a table over the days the periods cover, when that is not huge.
        let low = Int64(periods.map(\.from).min() ?? 0), high = Int64(periods.map(\.to).max() ?? -1)
        let table: [UInt8] = high >= low && high - low < 1 << 22 ? (low...high).map { bitsOf(Int32($0)) } : []
        // SAFETY: part k reads rows [n × k / parts, n × (k + 1) / parts) of the arrays, which
        // outlive `Parallel.map`, and writes only the array it makes; the table is read at
        // d − low only for low ≤ d ≤ high, below its count.
        let bits: [[UInt8]] = customer.withUnsafeBufferPointer { customer in day.withUnsafeBufferPointer { day in
            let shared = Unchecked((customer, day))
            return Parallel.map(parts) { k in
                let (customer, day) = shared.value
                var out = [UInt8](repeating: 0, count: customers)
                out.withUnsafeMutableBufferPointer { out in
                    for i in (n * k / parts)..<(n * (k + 1) / parts) {
                        let d = day[i]
                        let bits: UInt8
                        if table.isEmpty {
                            bits = bitsOf(d)
                        } else {
                            guard Int64(d) >= low && Int64(d) <= high else { continue }
                            bits = table[Int(Int64(d) - low)]
                        }
                        if bits != 0 { out[Int(customer[i])] |= bits }
                    }
                }
                return out
            }
        } }
        var out = bits[0]
        for other in bits.dropFirst() { for c in 0..<customers { out[c] |= other[c] } }
        return out
    }

    /// The total of the amounts, a sum of money (`Money`, at the amounts' scale). Worked out
    /// once per data: with a scale, by the summary (the customers' sums of units added up).
    func revenue() -> Double {
        if let kept = facts.revenue { return kept }
        _ = summary()
        if let kept = facts.revenue { return kept }
        let total = Money.sum(amount, scale: moneyScale)
        facts.revenue = total
        return total
    }

    /// Per customer: first and last day, transactions, total spend (each customer's amounts
    /// added by `Money`'s rule, at the scale of all the amounts). Worked out once per data.
    func summary() -> CustomerSummary {
        if let kept = facts.summary { return kept }
        let (s, scale, total) = Self.summaryAndScale(customer, day, amount, customerCount, parts: customer.count >= 1 << 16 && customerCount >= 2 ? 2 : 1)
        facts.summary = s
        facts.moneyScale = scale
        if let total { facts.revenue = total }
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

    /// The summary, the amounts' scale and, with a scale, the total of all the amounts. With a
    /// scale, each customer's amounts are added as whole units of 10^-scale (a wrapped sum and a
    /// count of its wraps, so never overflowing) and the total made a double once; the
    /// customers' units added up are the units of all the amounts, so their total is
    /// `Money.sum` of the amounts. Without a scale, compensated, and no total.
    static func summaryAndScale(_ customer: [Int32], _ day: [Int32], _ amount: [Double], _ customerCount: Int,
                                parts: Int) -> (summary: CustomerSummary, scale: Int?, total: Double?) {
        let scale = amount.withUnsafeBufferPointer { Money.scale(of: $0, parts: parts) }
        let exact = scale != nil, p = Money.powers[scale ?? 0]
        var first = [Int32](repeating: .max, count: customerCount), last = [Int32](repeating: .min, count: customerCount)
        var n = [Int](repeating: 0, count: customerCount), spend = [Double](repeating: 0, count: customerCount)
        // Exact: each customer's units are kept in `spend`'s slot (the Int64's bits as a
        // Double's, moved and never computed with; 0 is 0.0's bits) until they are made a sum of money, and the wraps of a sum of units,
        // which need sums past 9.2e18 units, in a table per part; compensated: the compensation
        // (spend holds the sum).
        var compensation = exact ? [] : [Double](repeating: 0, count: customerCount)
        // SAFETY: part k writes only the slots of customers in its own range [low, high) of the
        // arrays, whose buffers are allocated above and outlive `Parallel.map`, which returns
        // when both parts are done; the transactions are only read. `compensation` has
        // customerCount slots when not `exact`, and is touched only then.
        let wraps: [[Int: Int64]] = first.withUnsafeMutableBufferPointer { first in
        last.withUnsafeMutableBufferPointer { last in
        n.withUnsafeMutableBufferPointer { n in
        spend.withUnsafeMutableBufferPointer { spend in
        compensation.withUnsafeMutableBufferPointer { compensation in
        customer.withUnsafeBufferPointer { customer in
        day.withUnsafeBufferPointer { day in
        amount.withUnsafeBufferPointer { amount in
            let shared = Unchecked((first, last, n, spend, compensation, customer, day, amount))
            return Parallel.map(parts) { k in
                let (first, last, n, spend, compensation, customer, day, amount) = shared.value
                let low = Int32(customerCount * k / parts), high = Int32(customerCount * (k + 1) / parts)
                var carry: [Int: Int64] = [:]
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
                        let (sum, wrapped) = Int64(bitPattern: spend[c].bitPattern).addingReportingOverflow(m)
                        spend[c] = Double(bitPattern: UInt64(bitPattern: sum))
                        if wrapped { carry[c, default: 0] += m > 0 ? 1 : -1 }
                    } else {
                        // CompensatedSum.add, on the two arrays.
                        let sum = spend[c], t = sum + x
                        compensation[c] += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
                        spend[c] = t
                    }
                }
                return carry
            }
        } } } } } } } }
        var total: Double?
        if let scale {
            // All the units, as each customer's: a wrapped sum and its wraps.
            var carry: [Int: Int64] = [:]
            for part in wraps { carry.merge(part, uniquingKeysWith: +) }
            var allUnits: Int64 = 0, allCarry: Int64 = 0
            // SAFETY: c < customerCount = spend.count; each slot holds its customer's units
            // until it is overwritten with their sum of money.
            spend.withUnsafeMutableBufferPointer { spend in
                for c in 0..<customerCount {
                    let u = Int64(bitPattern: spend[c].bitPattern), wrapped = carry.isEmpty ? 0 : carry[c] ?? 0
                    spend[c] = Money.double(u, carry: wrapped, scale: scale)
                    let (sum, over) = allUnits.addingReportingOverflow(u)
                    allUnits = sum
                    allCarry += wrapped + (over ? (u > 0 ? 1 : -1) : 0)
                }
            }
            total = Money.double(allUnits, carry: allCarry, scale: scale)
        } else {
            for c in 0..<customerCount { spend[c] += compensation[c] }
        }
        return ((first, last, n, spend), scale, total)
    }

    /// The first and last day of the transactions (nil without any), worked out once per data:
    /// from the summary's first and last day of each customer when it is made (a pass over the
    /// customers rather than the rows), else in one pass over the days. The summary is not made
    /// for it (`retention by month` needs none).
    func dayRange() -> (low: Int32, high: Int32)? {
        guard count > 0 else { return nil }
        if let kept = facts.dayRange { return kept }
        var range: (low: Int32, high: Int32) = (.max, .min)
        if let s = facts.summary {
            range = (s.first.min()!, s.last.max()!)
        } else {
            for d in day { range = (min(range.low, d), max(range.high, d)) }
        }
        facts.dayRange = range
        return range
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
            // Customers often first appear in key order (a file sorted by customer): nothing to sort.
            // SAFETY: i − 1 and i are below n = values.count.
            let ascending = values.withUnsafeBufferPointer { values in
                var i = 1
                while i < n && values[i - 1] < values[i] { i += 1 }
                return i >= n
            }
            if ascending { return Array(0..<n) }
            return Radix.order(values.map(Radix.key)).map(Int.init)
        }
        let less = Sorting.lessThan(keys)
        return (0..<n).sorted { less($0, $1) || (!less($1, $0) && $0 < $1) }
    }

    /// Each customer's months with a transaction, in `calendar`; nil when that table would be
    /// too large. Worked out once per data and calendar.
    func customerMonths(_ calendar: CalendarKind) -> CustomerMonths? {
        if let kept = facts.months[calendar] { return kept }
        let months = CustomerMonths(self, calendar: calendar, parts: count >= 1 << 16 ? 2 : 1)
        facts.months[calendar] = .some(months)
        return months
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
    var revenue: Double?
    /// The first and last day of the transactions.
    var dayRange: (low: Int32, high: Int32)?
    /// Per calendar: nil inside when the table would be too large.
    var months: [CalendarKind: CustomerMonths?] = [:]
}

/// The transactions' days in customer order: customer c's are `day[start[c] ..< start[c + 1]]`,
/// in day order. A counting sort by customer (nothing to move when the rows already come
/// customer by customer, as in a file sorted by customer), then a sort of any customer whose
/// days are out of order.
struct CustomerIndex {
    /// Offsets into `day`, customerCount + 1 of them.
    var start: [Int32]
    var day: [Int32]

    init(_ data: TransactionData) {
        let n = data.count, customers = data.customerCount
        // Each customer's transactions are counted by the summary: the offsets are their
        // running total.
        let counts = data.summary().transactions
        var start = [Int32](repeating: 0, count: customers + 1)
        for c in 0..<customers { start[c + 1] = start[c] + Int32(counts[c]) }
        // SAFETY: i − 1 and i are below n = the count of `customer`.
        let grouped = data.customer.withUnsafeBufferPointer { customer in
            var i = 1
            while i < n && customer[i - 1] <= customer[i] { i += 1 }
            return i >= n
        }
        var day: [Int32]
        if grouped {
            // Customer numbers never go down: the rows are in customer order already.
            day = data.day
        } else {
            var next = start
            day = [Int32](repeating: 0, count: n)
            for i in 0..<n {
                let c = Int(data.customer[i])
                day[Int(next[c])] = data.day[i]
                next[c] += 1
            }
        }
        // The customers whose days are out of order, found on both cores (each reads its own
        // customers' days), then sorted: nothing is copied or sorted when none are.
        let parts = n >= 1 << 16 && customers >= 2 ? 2 : 1
        // SAFETY: part k reads only day[start[c] ..< start[c + 1]] for its own customers c in
        // [customers × k / parts, customers × (k + 1) / parts), within the n days (start[customers]
        // = n); both buffers outlive `Parallel.map` and are only read.
        let unsorted: [Int] = start.withUnsafeBufferPointer { start in day.withUnsafeBufferPointer { day in
            let shared = Unchecked((start, day))
            return Parallel.map(parts) { k in
                let (start, day) = shared.value
                var found: [Int] = []
                for c in (customers * k / parts)..<(customers * (k + 1) / parts) {
                    let (low, high) = (Int(start[c]), Int(start[c + 1]))
                    var j = low + 1
                    while j < high && day[j] >= day[j - 1] { j += 1 }
                    if j < high { found.append(c) }
                }
                return found
            }.flatMap { $0 }
        } }
        for c in unsorted { day[Int(start[c])..<Int(start[c + 1])].sort() }
        (self.start, self.day) = (start, day)
    }
}

/// Per customer, the months with a transaction, as bits: month m of the span (counted from the
/// first transaction's month, in `calendar`) is bit m % 64 of word m / 64 of the customer's
/// `words`. What `retention by month` and `cohort` count distinct (customer, month) pairs from.
struct CustomerMonths {
    var calendar: CalendarKind
    /// The month index of bit 0 (year × 12 + month − 1 in `calendar`).
    var first: Int
    /// Months from the first transaction's to the as-of date's.
    var span: Int
    var words: Int
    var bits: [UInt64]

    /// The largest table of bits made (bytes); a longer history or more customers go the old way.
    static let maxBytes = 1 << 28

    /// Nil without transactions, or when the table would pass `maxBytes`. The span must be one
    /// the calendar counts months in (`CohortCommand.checkSpan`).
    init?(_ data: TransactionData, calendar: CalendarKind, parts: Int) {
        guard let (firstDay, lastDay) = data.dayRange() else { return nil }
        let monthIndex = calendar.monthIndex
        let first = monthIndex(firstDay), span = monthIndex(max(lastDay, data.asOf)) - first + 1
        let words = (span + 63) / 64
        let size = data.customerCount.multipliedReportingOverflow(by: words)
        guard span > 0, !size.overflow, size.partialValue <= Self.maxBytes / 8 else { return nil }
        // Each day's month, from a table over the days when they span fewer than 2^16.
        let monthOfDay: [Int32] = Int(lastDay) - Int(firstDay) < 1 << 16 ? (firstDay...lastDay).map { Int32(monthIndex($0) - first) } : []
        let n = data.count, total = size.partialValue, customers = data.customerCount
        // One table; each part reads every row and sets the bits of its own customers, so no
        // part needs a table of its own (fresh memory costs more than reading the rows twice).
        var bits = [UInt64](repeating: 0, count: total)
        // SAFETY: the arrays read outlive `Parallel.map`; part k writes only the words of the
        // customers in [customers × k / parts, customers × (k + 1) / parts), which no other part
        // writes; a customer number is below customerCount and a month below span, so every
        // word index is below total = customerCount × words.
        bits.withUnsafeMutableBufferPointer { table in
            data.customer.withUnsafeBufferPointer { customer in data.day.withUnsafeBufferPointer { day in
                monthOfDay.withUnsafeBufferPointer { monthOfDay in
                    let shared = Unchecked((customer, day, monthOfDay, table))
                    _ = Parallel.map(parts) { k in
                        let (customer, day, monthOfDay, table) = shared.value
                        let low = Int32(customers * k / parts), high = Int32(customers * (k + 1) / parts)
                        for i in 0..<n {
                            let c = customer[i]
                            guard c >= low && c < high else { continue }
                            let m = monthOfDay.isEmpty ? monthIndex(day[i]) - first : Int(monthOfDay[Int(day[i] - firstDay)])
                            table[Int(c) * words + m >> 6] |= 1 << UInt64(m & 63)
                        }
                        return 0
                    }
                }
            } }
        }
        (self.calendar, self.first, self.span, self.words, self.bits) = (calendar, first, span, words, bits)
    }

    /// Calls `body(m)` for each month m (of the span) in which customer c bought, in order.
    @inline(__always)
    func forEachMonth(of c: Int, _ body: (Int) -> Void) {
        for w in 0..<words {
            var x = bits[c * words + w]
            while x != 0 {
                body(w << 6 | x.trailingZeroBitCount)
                x &= x - 1
            }
        }
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

    /// For each position, ⌊rank × bins / n⌋ + 1, where rank is the position's place (0-based)
    /// in `order(keys)` — ascending by key, equal keys in position order — without sorting:
    /// only the bins − 1 keys where the score steps up are found (a histogram of the keys' top
    /// varying bits, then the few buckets that hold them sorted), and one pass compares every
    /// key with them.
    static func scores(_ keys: [UInt64], bins: Int) -> [Int] {
        let n = keys.count
        guard n > 0, bins > 1 else { return [Int](repeating: 1, count: n) }
        // Score s + 1 starts at rank ⌈s × n / bins⌉ (rank × bins ≥ s × n); a step at rank n or
        // past it (fewer keys than bins) is reached by none.
        let steps = (1..<bins).map { Int((Int64($0) * Int64(n) + Int64(bins) - 1) / Int64(bins)) }.filter { $0 < n }
        var all = UInt64.max, any: UInt64 = 0
        for k in keys { all &= k; any |= k }
        let varying = all ^ any
        // Buckets by the top 16 bits from the highest bit in which keys differ (all bits above it
        // are the same in every key), so bucket order is key order.
        let shift = varying == 0 ? 0 : max(0, 64 - varying.leadingZeroBitCount - 16)
        @inline(__always) func bucket(_ k: UInt64) -> Int { Int((k >> UInt64(shift)) & 0xFFFF) }
        var counts = [Int](repeating: 0, count: 1 << 16)
        for k in keys { counts[bucket(k)] += 1 }
        var before = [Int](repeating: 0, count: 1 << 16)
        var sum = 0
        for b in 0..<(1 << 16) { before[b] = sum; sum += counts[b] }
        // The bucket of each step's rank.
        let stepBucket = steps.map { rank -> Int in
            var low = 0, high = 1 << 16
            while high - low > 1 { let mid = (low + high) / 2; if before[mid] <= rank { low = mid } else { high = mid } }
            return low
        }
        // Each step: its key v, and how many keys equal to v come before it in position order.
        var stepKey = [UInt64](), equalBefore = [Int]()
        if shift == 0 {
            // A bucket is one key: the bits above the bucket's are those every key shares.
            for (s, rank) in steps.enumerated() {
                stepKey.append(all & ~0xFFFF | UInt64(stepBucket[s]))
                equalBefore.append(rank - before[stepBucket[s]])
            }
        } else {
            // The keys of the buckets the steps fall in; in each, the key at the step's rank.
            var offset = [Int](repeating: -1, count: 1 << 16)
            var total = 0
            for b in stepBucket where offset[b] < 0 { offset[b] = total; total += counts[b] }
            var held = [UInt64](repeating: 0, count: total)
            var next = offset
            // SAFETY: a key of bucket b goes to held[next[b]], and next[b] stays below
            // offset[b] + counts[b] ≤ total: counts[b] keys fall in bucket b.
            held.withUnsafeMutableBufferPointer { held in
                for k in keys {
                    let b = bucket(k)
                    guard next[b] >= 0 else { continue }
                    held[next[b]] = k
                    next[b] += 1
                }
            }
            for (s, rank) in steps.enumerated() {
                let b = stepBucket[s]
                let (v, less) = select(held[offset[b]..<offset[b] + counts[b]], rank - before[b])
                stepKey.append(v)
                equalBefore.append(rank - before[b] - less)
            }
        }
        // A key scores one more for each step it is at or past: a greater key, or an equal key
        // with at least that many equal keys before it.
        var seen = [Int](repeating: 0, count: steps.count)
        var out = [Int](repeating: 1, count: n)
        let m = steps.count
        // SAFETY: p < n = keys.count = out.count; s < m = the count of stepKey, equalBefore and seen.
        keys.withUnsafeBufferPointer { keys in out.withUnsafeMutableBufferPointer { out in
            stepKey.withUnsafeBufferPointer { stepKey in equalBefore.withUnsafeBufferPointer { equalBefore in
                seen.withUnsafeMutableBufferPointer { seen in
                    for p in 0..<n {
                        let k = keys[p]
                        var score = 1
                        for s in 0..<m {
                            let v = stepKey[s]
                            if k > v {
                                score += 1
                            } else if k == v {
                                if seen[s] >= equalBefore[s] { score += 1 }
                                seen[s] += 1
                            }
                        }
                        out[p] = score
                    }
                }
            } }
        } }
        return out
    }

    /// The key at place `rank` (0-based) of `keys` in ascending order, and how many keys are
    /// less than it, without sorting: the keys counted by their top 16 varying bits, then only
    /// those of the bucket holding the rank kept, until they are all one key (at most four rounds
    /// for 64 bits, each a pass over what is left). `rank` < the count of `keys`.
    static func select(_ keys: ArraySlice<UInt64>, _ rank: Int) -> (key: UInt64, less: Int) {
        precondition(rank >= 0 && rank < keys.count)
        var left = Array(keys), rank = rank, less = 0
        var counts = [Int](repeating: 0, count: 1 << 16)
        while true {
            var all = UInt64.max, any: UInt64 = 0
            for k in left { all &= k; any |= k }
            let varying = all ^ any
            if varying == 0 { return (left[0], less) }
            // The bits above these 16 are the same in every key left: digit order is key order.
            let shift = UInt64(max(0, 64 - varying.leadingZeroBitCount - 16))
            for d in counts.indices { counts[d] = 0 }
            for k in left { counts[Int((k >> shift) & 0xFFFF)] += 1 }
            var digit = 0
            while rank >= counts[digit] { rank -= counts[digit]; less += counts[digit]; digit += 1 }
            left = left.filter { Int(($0 >> shift) & 0xFFFF) == digit }
        }
    }

    /// The number whose `key(_:)` is `k`: the same bits, save that -0 comes back as 0.
    static func double(_ k: UInt64) -> Double {
        Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k)
    }

    /// The positions of `keys` in ascending order of key, equal keys in position order: a byte
    /// at a time, keys moved with their positions so every pass reads in order, and a byte
    /// that is the same in every key skipped (found from the AND and the OR of the keys).
    static func order(_ keys: [UInt64]) -> [Int32] {
        sorted(keys).order
    }

    /// `order(keys)`, and the keys in that order.
    static func sorted(_ keys: [UInt64]) -> (order: [Int32], keys: [UInt64]) {
        let n = keys.count
        var order = [Int32](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = Int32(i) }; c = n }
        guard n > 1 else { return (order, keys) }
        // The bits in which some keys differ: only their bytes are counted and sorted by.
        var all = UInt64.max, any: UInt64 = 0
        for k in keys { all &= k; any |= k }
        let varying = (0..<8).filter { (all ^ any) >> UInt64($0 * 8) & 0xFF != 0 }
        var counts = [Int](repeating: 0, count: 8 * 256)
        for byte in varying {
            let shift = UInt64(byte * 8)
            for k in keys { counts[byte << 8 | Int((k >> shift) & 0xFF)] += 1 }
        }
        var key = keys, otherKey = keys, other = order
        // SAFETY: every index below is a position < n in buffers of n, or a bucket < 256 of a
        // byte's 256 counts; the buffers are this function's own arrays.
        key.withUnsafeMutableBufferPointer { key in otherKey.withUnsafeMutableBufferPointer { otherKey in
        order.withUnsafeMutableBufferPointer { order in other.withUnsafeMutableBufferPointer { other in
        counts.withUnsafeMutableBufferPointer { counts in
            var (key, otherKey, order, other) = (key, otherKey, order, other)
            var flipped = false
            for byte in varying {
                let count = counts.baseAddress! + byte << 8
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
            if flipped {
                _ = other.update(fromContentsOf: order)
                _ = otherKey.update(fromContentsOf: key)
            }
        } } } } }
        return (order, key)
    }
}
