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

/// One credit in an account's buffer.
private struct DayCredit {
    var day: Int32
    var points: Double
}

/// What one share of the accounts adds up in the sweep.
private struct MonthCounts {
    /// Per month and tier: members who entered the tier minus those who left it.
    var delta: [[Int]]
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
    /// the month's end. On `parts` cores, each a share of the accounts (whole numbers are added,
    /// so the result is the same for any `parts`).
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
        let per = rules.earnPer, earn = rules.earnPoints
        // An order earns floor(floor(amount / per) × earn × multiplier); nothing for an amount of 0 or less.
        @inline(__always) func orderPoints(_ i: Int) -> Double {
            ((amount[i] / per).rounded(.down) * earn * (multiplier?[i] ?? 1)).rounded(.down)
        }
        // First pass, over each share's customers: the day of each first purchase, the points
        // the orders earn in all, and the first order (in row order) that would earn more than
        // 2^53, which `pointsLedger` names too.
        var firstPurchase = [Int32](repeating: .max, count: n)
        // SAFETY: share k writes only firstPurchase[c] for the customers c of its own range
        // [buyers × k / shares, buyers × (k + 1) / shares), disjoint from the others';
        // `firstPurchase` outlives `Parallel.map`, which returns when every share is done.
        // Everything else is only read.
        let orderShares: [(points: Double, tooMany: Int, cancelled: Bool)] = firstPurchase.withUnsafeMutableBufferPointer { firstPurchase in
            let shared = Unchecked(firstPurchase)
            return Parallel.map(shares) { k in
                let firstPurchase = shared.value
                var points = 0.0, tooMany = Int.max
                for c in (buyers * k / shares)..<(buyers * (k + 1) / shares) {
                    if c & 0xFFFF == 0, isCancelled() { return (points, tooMany, true) }
                    var f = Int32.max
                    for position in Int(start[c])..<Int(start[c + 1]) {
                        let i = grouped ? position : Int(rowAt[position])
                        guard amount[i] > 0 else { continue }
                        f = min(f, day[i])
                        let p = orderPoints(i)
                        if !(p <= LoyaltyRules.maxPoints) { tooMany = min(tooMany, i) } else { points += p }
                    }
                    firstPurchase[c] = f
                }
                return (points, tooMany, false)
            }
        }
        if orderShares.contains(where: \.cancelled) { throw Diagnostic.interrupted }
        if let i = orderShares.map(\.tooMany).min(), i < Int.max {
            throw Self.tooManyPoints("an order of \(ValueFormat.displayDouble(amount[i]))", at: location)
        }
        // The accounts: a buyer's opens on the first purchase, a referrer's on the first
        // referral credit if that is earlier. The referral credits, by the account credited:
        // account x's are the days referralDay[referralStart[x] ..< referralStart[x + 1]].
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
        do {
            var next = referralStart
            for c in 0..<buyers where firstPurchase[c] <= T && referralBonus != nil && customers.referrer[c] >= 0 {
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
        var bonusCount = 0.0, firstCount = 0.0
        for c in 0..<buyers where firstPurchase[c] <= T {
            firstCount += 1
            if birthdayBonus != nil, customers.birthMonth[c] > 0 {
                bonusCount += Double(birthdays[Int(customers.birthMonth[c])].count { $0 >= firstPurchase[c] })
            }
        }
        let issued = orderShares.reduce(0) { $0 + $1.points } + (rules.firstBonus.map { $0 * firstCount } ?? 0)
            + (referralBonus.map { $0 * Double(referralDay.count) } ?? 0) + (birthdayBonus.map { $0 * bonusCount } ?? 0)
        guard issued <= LoyaltyRules.maxPoints else { throw Self.tooManyPoints("the program", at: location) }
        if isCancelled() { throw Diagnostic.interrupted }
        try CohortCommand.checkSpan(calendar, first, T, at: location)
        out.months = try monthlyFigures(rules, from: first, calendar: calendar, opened: opened, shares: shares, isCancelled: isCancelled) { c, credits in
            // Account c's credits, in any order: its orders, first-purchase and birthday bonuses, referral credits.
            if c < buyers {
                for position in Int(start[c])..<Int(start[c + 1]) {
                    let i = grouped ? position : Int(rowAt[position])
                    guard amount[i] > 0 else { continue }
                    let p = orderPoints(i)
                    if p > 0 { credits.append(DayCredit(day: day[i], points: p)) }
                }
                let f = firstPurchase[c]
                if f <= T {
                    if let b = rules.firstBonus, b > 0 { credits.append(DayCredit(day: f, points: b)) }
                    if let b = birthdayBonus, customers.birthMonth[c] > 0 {
                        for d in birthdays[Int(customers.birthMonth[c])] where d >= f { credits.append(DayCredit(day: d, points: b)) }
                    }
                }
            }
            if let b = referralBonus {
                for r in Int(referralStart[c])..<Int(referralStart[c + 1]) { credits.append(DayCredit(day: referralDay[r], points: b)) }
            }
        }
        return out
    }

    /// Month by month: revenue, points issued, redeemed and expired within each month, points
    /// outstanding, members and members per tier at its end. The program-wide flows come from
    /// prefix sums of the points credited each day (closed forms of the rules of
    /// `PointsLedger`, O(days)); the tiers from a sweep of each account's credits in day order,
    /// entering the window on the day they are earned and leaving it `tierWindowDays` later,
    /// where each change of tier is counted in the month it happens. The accounts are split
    /// into `shares`, one per core; `credits(c, &buffer)` appends account c's credits, in any
    /// order, and `opened[c]` is the day its account opened (past T: none).
    private func monthlyFigures(_ rules: LoyaltyRules, from first: Int32, calendar: CalendarKind, opened: [Int32], shares: Int,
                                isCancelled: () -> Bool, credits: (Int, inout [DayCredit]) -> Void) throws(Diagnostic) -> [PointsMonth] {
        let T = asOf, accounts = opened.count
        let span = Int(T) - Int(first) + 1
        let firstMonth = calendar.monthIndex(first), months = calendar.monthIndex(T) - firstMonth + 1
        // The month of each day of the span, looked up rather than computed per credit.
        var monthOfDay = [Int32](repeating: 0, count: span)
        var o = 0
        while o < span {
            let m = calendar.monthIndex(first + Int32(o)) - firstMonth
            let end = min(span, Int(calendar.firstDay(ofMonth: firstMonth + m + 1)) - Int(first))
            for k in o..<max(end, o + 1) { monthOfDay[k] = Int32(m) }
            o = max(end, o + 1)
        }
        let monthOf: (Int32) -> Int = { Int(monthOfDay[Int($0) - Int(first)]) }
        let window = rules.tierWindowDays, tiers = rules.tiers.count
        // Each share sweeps its own accounts and counts its own openings, changes of tier and
        // points per day, added up after (whole numbers, so the same for any `shares`).
        let counted: [MonthCounts] = Parallel.map(shares) { k in
            var counts = MonthCounts(delta: [[Int]](repeating: [Int](repeating: 0, count: tiers), count: months),
                                     opened: [Int](repeating: 0, count: months), perDay: [Double](repeating: 0, count: span))
            var own: [DayCredit] = []
            for c in (accounts * k / shares)..<(accounts * (k + 1) / shares) where opened[c] <= T {
                if c & 0xFFFF == 0, isCancelled() { counts.cancelled = true; return counts }
                own.removeAll(keepingCapacity: true)
                credits(c, &own)
                for x in own { counts.perDay[Int(x.day) - Int(first)] += x.points }
                // Usually in day order already but for the bonuses, which come last: a few out
                // of place are moved by insertion, many sorted.
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
                var x = Int(opened[c])
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
                    let t = rules.tier(sum), m = monthOf(Int32(x))
                    if current < 0 {
                        counts.opened[m] += 1
                        counts.delta[m][t] += 1
                    } else if t != current {
                        counts.delta[m][current] -= 1
                        counts.delta[m][t] += 1
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
            return counts
        }
        if counted.contains(where: \.cancelled) { throw Diagnostic.interrupted }
        var perDay = counted[0].perDay, delta = counted[0].delta, openedIn = counted[0].opened
        for part in counted.dropFirst() {
            for o in 0..<span { perDay[o] += part.perDay[o] }
            for m in 0..<months {
                openedIn[m] += part.opened[m]
                for t in 0..<tiers { delta[m][t] += part.delta[m][t] }
            }
        }
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
        // Revenue: every amount of the month, by `Money`'s rule, in row order.
        let scale = amount.withUnsafeBufferPointer { Money.scale(of: $0, parts: shares) }
        var revenue = MoneySums(count: months, scale: scale, checked: false)
        for i in 0..<count { revenue.add(amount[i], to: monthOf(day[i])) }
        var out: [PointsMonth] = []
        var members = 0, tierCounts = [Int](repeating: 0, count: tiers)
        for m in 0..<months {
            let start = calendar.firstDay(ofMonth: firstMonth + m)
            let from = Int(start) - Int(first), to = (m + 1 < months ? Int(calendar.firstDay(ofMonth: firstMonth + m + 1)) - 1 : Int(T)) - Int(first)
            members += openedIn[m]
            for t in 0..<tiers { tierCounts[t] += delta[m][t] }
            out.append(PointsMonth(start: start, members: members, newMembers: openedIn[m], tierCounts: tierCounts, revenue: revenue[m],
                                   issued: a(to) - a(from - 1), redeemed: redeemed(to) - redeemed(from - 1), expired: expired(to) - expired(from - 1),
                                   outstanding: a(to) - redeemed(to) - expired(to)))
        }
        return out
    }
}
