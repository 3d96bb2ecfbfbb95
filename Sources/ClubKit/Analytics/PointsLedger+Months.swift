/// `simulate P by month`: the program's figures at the end of every calendar month, from the
/// first transaction's month to the as-of date's (docs/language.md, "Points programs"). The
/// same rules as `PointsLedger`; what differs is the layout. The months need no account's
/// redeemed or expired points, only the points credited each day (for the flows) and each
/// account's credits in day order (for the tiers), so the work goes account by account: each
/// customer's orders are found through the customer index the other analytics share
/// (`TransactionData.byCustomer`), its bonuses are added to them in a small buffer, sorted by
/// day and swept once. No array of every credit is made.
struct PointsMonths {
    let rules: LoyaltyRules
    let asOf: Int32
    var months: [PointsMonth]
    /// What the working says about data the program could not use.
    var notes: [String]
}

/// x rounded down, for x ≥ 0 (or NaN, kept), as `x.rounded(.down)` gives it but without a call
/// into the C library: below 2^52 the conversion to a whole number cuts the fraction off; from
/// 2^52 up every double is whole already.
@inline(__always)
private func wholePart(_ x: Double) -> Double {
    x < 4_503_599_627_370_496 ? Double(Int64(x)) : x
}

/// One credit in an account's buffer.
private struct DayCredit {
    var day: Int32
    var points: Double
}

/// What one share of the customers finds in the first pass.
private struct OrderPass {
    /// The points of every order, to refuse a total past 2^53.
    var points = 0.0
    /// The first row (in row order) whose order would earn more than 2^53 points; Int.max: none.
    var tooMany = Int.max
    /// Revenue per month, in units of the amounts' scale, and the wraps of each sum.
    var units: [Int64], carry: [Int64]
    var cancelled = false
}

/// What one share of the accounts counts in the sweep.
private struct SweepCounts {
    /// Per month × tier (month m, tier t at m × tiers + t): members who entered the tier minus
    /// those who left it.
    var delta: [Int]
    /// Per month: accounts opened.
    var opened: [Int]
    /// Points credited per day of the span.
    var perDay: [Double]
    var cancelled = false
}

extension TransactionData {
    /// Runs `rules` over these transactions (up to their as-of date) month by month, in
    /// `calendar`. `multiplier` holds each transaction's channel multiplier when the program
    /// has a channel bonus. Each month's members and tiers are those `pointsLedger` gives as of
    /// the month's end. On `parts` cores, each a share of the customers (whole numbers are
    /// added, so the result is the same for any `parts`).
    func pointsMonths(_ rules: LoyaltyRules, multiplier: [Double]?, customers: ProgramCustomers, calendar: CalendarKind = .gregorian,
                      isCancelled: () -> Bool = { false }, parts: Int? = nil, at location: SourceLocation) throws(Diagnostic) -> PointsMonths {
        let buyers = customerCount, T = asOf
        let n = buyers + (customers.extraKeys?.count ?? 0)
        var out = PointsMonths(rules: rules, asOf: T, months: [], notes: customers.notes)
        guard let first = day.min() else { return out }
        let shares = parts ?? (count >= 1 << 16 && n >= 2 ? 2 : 1)
        // Each customer's transactions: positions start[c] ..< start[c + 1] of the rows in
        // customer order, row order within a customer (the rows themselves when they already
        // come customer by customer, as in a file sorted by customer).
        let start = byCustomer().start
        var grouped = true
        for i in customer.indices.dropFirst() where customer[i] < customer[i - 1] {
            grouped = false
            break
        }
        var rowAt: [Int32] = []
        if !grouped {
            rowAt = [Int32](repeating: 0, count: count)
            var next = start
            for i in 0..<count {
                let c = Int(customer[i])
                rowAt[Int(next[c])] = Int32(i)
                next[c] += 1
            }
        }
        // The month of each day of the span, looked up rather than computed per transaction
        // (only when the calendar counts months over the span; otherwise refused below).
        let covered = calendar.covers(first, T)
        let span = Int(T) - Int(first) + 1
        let firstMonth = calendar.monthIndex(first), months = covered ? calendar.monthIndex(T) - firstMonth + 1 : 0
        var monthOfDay = [Int32](repeating: 0, count: covered ? span : 0)
        var o = 0
        while o < monthOfDay.count {
            let m = calendar.monthIndex(first + Int32(o)) - firstMonth
            let end = min(span, Int(calendar.firstDay(ofMonth: firstMonth + m + 1)) - Int(first))
            for k in o..<max(end, o + 1) { monthOfDay[k] = Int32(m) }
            o = max(end, o + 1)
        }
        // Revenue: every amount of the month by `Money`'s rule, exact in units of the amounts'
        // scale (so added in any order); without a scale, compensated sums in row order below.
        let scale = amount.withUnsafeBufferPointer { Money.scale(of: $0, parts: shares) }
        let unitsPerAmount = Money.powers[scale ?? 0], byUnits = scale != nil && covered
        let per = rules.earnPer, earn = rules.earnPoints, multiplied = multiplier != nil
        var firstPurchase = [Int32](repeating: .max, count: n)
        // First pass, over each share's customers: the day of each first purchase, the points
        // the orders earn in all, the first order (in row order) that would earn more than 2^53
        // (which `pointsLedger` names too), and the revenue per month.
        // SAFETY: share k writes only firstPurchase[c] for the customers c of its own range
        // [buyers × k / shares, buyers × (k + 1) / shares), disjoint from the others';
        // `firstPurchase` and the arrays read outlive `Parallel.map`, which returns when every
        // share is done. A position is below start[buyers] = count, a row below count, and a
        // day of the transactions within first ... T, so within monthOfDay when it is used.
        let orderPasses: [OrderPass] = firstPurchase.withUnsafeMutableBufferPointer { firstPurchase in
            amount.withUnsafeBufferPointer { amount in day.withUnsafeBufferPointer { day in
                (multiplier ?? []).withUnsafeBufferPointer { multiplier in rowAt.withUnsafeBufferPointer { rowAt in
                    monthOfDay.withUnsafeBufferPointer { monthOfDay in
                        let shared = Unchecked((firstPurchase, amount, day, multiplier, rowAt, monthOfDay))
                        return Parallel.map(shares) { k in
                            let (firstPurchase, amount, day, multiplier, rowAt, monthOfDay) = shared.value
                            var pass = OrderPass(units: [Int64](repeating: 0, count: byUnits ? months : 0), carry: [Int64](repeating: 0, count: byUnits ? months : 0))
                            for c in (buyers * k / shares)..<(buyers * (k + 1) / shares) {
                                if c & 0xFFFF == 0, isCancelled() { pass.cancelled = true; return pass }
                                var f = Int32.max
                                for position in Int(start[c])..<Int(start[c + 1]) {
                                    let i = grouped ? position : Int(rowAt[position])
                                    let a = amount[i]
                                    if byUnits {
                                        let m = Int(monthOfDay[Int(day[i]) - Int(first)]), u = Money.nearest(a * unitsPerAmount)
                                        let (sum, wrapped) = pass.units[m].addingReportingOverflow(u)
                                        pass.units[m] = sum
                                        // The true sum is units + carry × 2^64.
                                        if wrapped { pass.carry[m] += u > 0 ? 1 : -1 }
                                    }
                                    guard a > 0 else { continue }
                                    f = min(f, day[i])
                                    // An order earns floor(floor(amount / per) × earn × multiplier).
                                    let p = wholePart(wholePart(a / per) * earn * (multiplied ? multiplier[i] : 1))
                                    if p <= LoyaltyRules.maxPoints { pass.points += p } else { pass.tooMany = min(pass.tooMany, i) }
                                }
                                firstPurchase[c] = f
                            }
                            return pass
                        }
                    }
                } }
            } }
        }
        if orderPasses.contains(where: \.cancelled) { throw Diagnostic.interrupted }
        if let i = orderPasses.map(\.tooMany).min(), i < Int.max {
            throw Self.tooManyPoints("an order of \(ValueFormat.displayDouble(amount[i]))", at: location)
        }
        // The accounts: a buyer's opens on the first purchase, a referrer's on the first
        // referral credit if that is earlier. The referral credits, by the account credited:
        // account x's are on the days referralDay[referralStart[x] ..< referralStart[x + 1]].
        var opened = [Int32](repeating: .max, count: n)
        let referralBonus = rules.referralBonus.flatMap { $0 > 0 ? $0 : nil }
        var referralStart = [Int32](repeating: 0, count: n + 1)
        for c in 0..<buyers where firstPurchase[c] <= T {
            let f = firstPurchase[c]
            opened[c] = min(opened[c], f)
            if referralBonus != nil, customers.referrer[c] >= 0 {
                let x = Int(customers.referrer[c])
                referralStart[x + 1] += 1
                opened[x] = min(opened[x], f)
            }
        }
        for x in 0..<n { referralStart[x + 1] += referralStart[x] }
        var referralDay = [Int32](repeating: 0, count: Int(referralStart[n]))
        if referralBonus != nil {
            var next = referralStart
            for c in 0..<buyers where firstPurchase[c] <= T && customers.referrer[c] >= 0 {
                let x = Int(customers.referrer[c])
                referralDay[Int(next[x])] = firstPurchase[c]
                next[x] += 1
            }
        }
        // The first days of each birth month (in the session's calendar, 1 = Farvardin under
        // .calendar jalali) from the first transaction's year to T: a member's birthday credits
        // are those on or after the first purchase.
        let birthdayBonus = rules.birthdayBonus.flatMap { $0 > 0 ? $0 : nil }
        let firstYear = Int(floorDiv(Int64(calendar.monthIndex(first)), 12)), lastYear = Int(floorDiv(Int64(calendar.monthIndex(T)), 12))
        let birthdays: [[Int32]] = birthdayBonus == nil ? [] : (0...12).map { month in
            month == 0 ? [] : (firstYear...max(firstYear, lastYear)).map { calendar.firstDay(ofMonth: $0 * 12 + month - 1) }.filter { $0 >= first && $0 <= T }
        }
        // Every point the program issues, to refuse a total past 2^53 as `pointsLedger` does.
        var buyerAccounts = 0.0, birthdayCredits = 0.0
        for c in 0..<buyers where firstPurchase[c] <= T {
            buyerAccounts += 1
            if birthdayBonus != nil, customers.birthMonth[c] > 0 {
                birthdayCredits += Double(birthdays[Int(customers.birthMonth[c])].count { $0 >= firstPurchase[c] })
            }
        }
        let issued = orderPasses.reduce(0) { $0 + $1.points } + (rules.firstBonus.map { $0 * buyerAccounts } ?? 0)
            + (referralBonus.map { $0 * Double(referralDay.count) } ?? 0) + (birthdayBonus.map { $0 * birthdayCredits } ?? 0)
        guard issued <= LoyaltyRules.maxPoints else { throw Self.tooManyPoints("the program", at: location) }
        if isCancelled() { throw Diagnostic.interrupted }
        try CohortCommand.checkSpan(calendar, first, T, at: location)

        // The sweep, over each share's accounts: each account's credits into a buffer — its
        // orders, first-purchase and birthday bonuses, referral credits — sorted by day; then
        // the days they enter the window merged with the days they leave it. Each share
        // counts its own openings, changes of tier and points per day, added up after.
        let window = rules.tierWindowDays, tiers = rules.tiers.count
        let thresholds = rules.tiers.map(\.threshold)
        let firstBonus = rules.firstBonus.flatMap { $0 > 0 ? $0 : nil }
        // SAFETY: every buffer below is only read, and outlives `Parallel.map`, which returns
        // when every share is done. Positions, rows and days are within their buffers as in
        // the first pass; an account is below n, the count of opened, firstPurchase (whose
        // first `buyers` slots are the buyers') and referralStart − 1; a referral day and a
        // birthday are within first ... T; a tier index is below `tiers`.
        let counted: [SweepCounts] = amount.withUnsafeBufferPointer { amount in day.withUnsafeBufferPointer { day in
            (multiplier ?? []).withUnsafeBufferPointer { multiplier in rowAt.withUnsafeBufferPointer { rowAt in
                monthOfDay.withUnsafeBufferPointer { monthOfDay in thresholds.withUnsafeBufferPointer { thresholds in
                    let shared = Unchecked((amount, day, multiplier, rowAt, monthOfDay, thresholds))
                    return Parallel.map(shares) { k in
                        let (amount, day, multiplier, rowAt, monthOfDay, thresholds) = shared.value
                        var counts = SweepCounts(delta: [Int](repeating: 0, count: months * tiers), opened: [Int](repeating: 0, count: months),
                                                 perDay: [Double](repeating: 0, count: span))
                        var own: [DayCredit] = []
                        own.reserveCapacity(256)
                        for c in (n * k / shares)..<(n * (k + 1) / shares) where opened[c] <= T {
                            if c & 0xFFFF == 0, isCancelled() { counts.cancelled = true; return counts }
                            own.removeAll(keepingCapacity: true)
                            if c < buyers {
                                for position in Int(start[c])..<Int(start[c + 1]) {
                                    let i = grouped ? position : Int(rowAt[position])
                                    let a = amount[i]
                                    guard a > 0 else { continue }
                                    let p = wholePart(wholePart(a / per) * earn * (multiplied ? multiplier[i] : 1))
                                    if p > 0 { own.append(DayCredit(day: day[i], points: p)) }
                                }
                                let f = firstPurchase[c]
                                if f <= T {
                                    if let b = firstBonus { own.append(DayCredit(day: f, points: b)) }
                                    if let b = birthdayBonus, customers.birthMonth[c] > 0 {
                                        for d in birthdays[Int(customers.birthMonth[c])] where d >= f { own.append(DayCredit(day: d, points: b)) }
                                    }
                                }
                            }
                            if let b = referralBonus {
                                for r in Int(referralStart[c])..<Int(referralStart[c + 1]) { own.append(DayCredit(day: referralDay[r], points: b)) }
                            }
                            counts.sweep(&own, opened: opened[c], asOf: T, first: first, window: window, thresholds: thresholds,
                                         monthOfDay: monthOfDay)
                        }
                        return counts
                    }
                } }
            } }
        } }
        if counted.contains(where: \.cancelled) { throw Diagnostic.interrupted }
        var perDay = counted[0].perDay, delta = counted[0].delta, openedIn = counted[0].opened
        for part in counted.dropFirst() {
            for o in 0..<span { perDay[o] += part.perDay[o] }
            for m in 0..<months { openedIn[m] += part.opened[m] }
            for x in delta.indices { delta[x] += part.delta[x] }
        }
        // Revenue per month.
        var revenue = [Double](repeating: 0, count: months)
        if let scale, byUnits {
            for m in 0..<months {
                var units: Int64 = 0, carry: Int64 = 0
                for pass in orderPasses {
                    let (sum, wrapped) = units.addingReportingOverflow(pass.units[m])
                    units = sum
                    carry += pass.carry[m] + (wrapped ? (pass.units[m] > 0 ? 1 : -1) : 0)
                }
                revenue[m] = Money.double(units, carry: carry, scale: scale)
            }
        } else {
            var sums = MoneySums(count: months, scale: scale, checked: false)
            for i in 0..<count { sums.add(amount[i], to: Int(monthOfDay[Int(day[i]) - Int(first)])) }
            revenue = sums.values
        }
        out.months = monthlyFigures(rules, from: first, calendar: calendar, perDay: perDay, delta: delta, opened: openedIn, revenue: revenue)
        return out
    }

    /// Month by month: revenue, points issued, redeemed and expired within each month, points
    /// outstanding, members and members per tier at its end, from the sweep's counts. The
    /// program-wide flows come from prefix sums of the points credited each day (closed forms
    /// of the rules of `PointsLedger`, O(days)).
    private func monthlyFigures(_ rules: LoyaltyRules, from first: Int32, calendar: CalendarKind, perDay: [Double], delta: [Int], opened: [Int],
                                revenue: [Double]) -> [PointsMonth] {
        let T = asOf, span = perDay.count, months = opened.count, tiers = rules.tiers.count
        let firstMonth = calendar.monthIndex(first)
        // Prefix sums A (points) and B (points × day offset) of the points credited each day.
        var A = [Double](repeating: 0, count: span + 1), B = A
        for o in 0..<span {
            A[o + 1] = A[o] + perDay[o]
            B[o + 1] = B[o] + perDay[o] * Double(o)
        }
        // Sums through offset o (o < 0: nothing yet).
        func a(_ o: Int) -> Double { o < 0 ? 0 : A[min(o, span - 1) + 1] }
        func b(_ o: Int) -> Double { o < 0 ? 0 : B[min(o, span - 1) + 1] }
        let s = rules.redeemShare, L = rules.redemptionDays, expires = rules.expireDays != nil
        func redeemed(_ o: Int) -> Double {
            guard o >= 0, s > 0 else { return 0 }
            let partial = (Double(o + 1) * (a(o) - a(o - L)) - (b(o) - b(o - L))) / Double(L)
            return s * (a(o - L) + partial)
        }
        func expired(_ o: Int) -> Double { expires ? (1 - s) * a(o - L) : 0 }
        var out: [PointsMonth] = []
        var members = 0, tierCounts = [Int](repeating: 0, count: tiers)
        for m in 0..<months {
            let start = calendar.firstDay(ofMonth: firstMonth + m)
            let from = Int(start) - Int(first), to = (m + 1 < months ? Int(calendar.firstDay(ofMonth: firstMonth + m + 1)) - 1 : Int(T)) - Int(first)
            members += opened[m]
            for t in 0..<tiers { tierCounts[t] += delta[m * tiers + t] }
            out.append(PointsMonth(start: start, members: members, newMembers: opened[m], tierCounts: tierCounts, revenue: revenue[m],
                                   issued: a(to) - a(from - 1), redeemed: redeemed(to) - redeemed(from - 1), expired: expired(to) - expired(from - 1),
                                   outstanding: a(to) - redeemed(to) - expired(to)))
        }
        return out
    }
}

extension SweepCounts {
    /// One account's credits (in any order), opened on day `opened`: adds them to the points
    /// per day, sorts them by day, and counts the opening and each change of tier in the month
    /// it happens. A credit enters the window on its day and leaves it `window` days later
    /// (never without a window); the tier is the highest of `thresholds` (the first is 0) that
    /// the points in the window reach.
    mutating func sweep(_ own: inout [DayCredit], opened: Int32, asOf T: Int32, first: Int32, window: Int?,
                        thresholds: UnsafeBufferPointer<Double>, monthOfDay: UnsafeBufferPointer<Int32>) {
        let tiers = thresholds.count
        own.withUnsafeMutableBufferPointer { own in
            perDay.withUnsafeMutableBufferPointer { perDay in
                for x in own { perDay[Int(x.day) - Int(first)] += x.points }
            }
            // Usually in day order already but for the bonuses, which come last: a few out of
            // place are moved by insertion, many sorted.
            if own.count > 64 {
                own.sort { $0.day < $1.day }
            } else {
                for j in own.indices.dropFirst() {
                    let x = own[j]
                    var i = j
                    while i > 0 && own[i - 1].day > x.day {
                        own[i] = own[i - 1]
                        i -= 1
                    }
                    own[i] = x
                }
            }
            // Merge the days credits enter the window with the days they leave it.
            var enter = 0, leave = 0, sum = 0.0, current = -1
            var x = Int(opened)
            while true {
                while enter < own.count && Int(own[enter].day) == x {
                    sum += own[enter].points
                    enter += 1
                }
                if let w = window {
                    while leave < enter && Int(own[leave].day) + w == x {
                        sum -= own[leave].points
                        leave += 1
                    }
                }
                var t = 0
                while t + 1 < tiers && sum >= thresholds[t + 1] { t += 1 }
                let m = Int(monthOfDay[x - Int(first)])
                if current < 0 {
                    self.opened[m] += 1
                    delta[m * tiers + t] += 1
                } else if t != current {
                    delta[m * tiers + current] -= 1
                    delta[m * tiers + t] += 1
                }
                current = t
                // The next day anything enters or leaves, up to T.
                var following = Int.max
                if enter < own.count { following = Int(own[enter].day) }
                if let w = window, leave < own.count { following = min(following, Int(own[leave].day) + w) }
                guard following <= Int(T) else { break }
                x = following
            }
        }
    }
}
