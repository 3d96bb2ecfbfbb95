/// A points program run over the history of the `use` transactions up to an as-of date: every
/// credit (order points, first-purchase, referral and birthday bonuses), what the redemption
/// model has redeemed of each, what has expired, each account's tier, and with `monthly` the
/// same figures at the end of every month. The rules are in docs/language.md, "Points
/// programs"; in short, for a credit of p points on day d, as of day t, with a life of L days
/// and a redeemed share s:
///
///     redeemed(t) = s × p × min(t − d + 1, L) / L          (from day d, evenly over L days)
///     expired(t)  = (1 − s) × p  when d + L ≤ t, else 0    (only when the program expires points)
///     outstanding = p − redeemed − expired
///
/// Everything is one pass over the transactions and the credits, plus, for `monthly`, a sort
/// of each account's credits by day (O(n log n) in all): 10 million orders take seconds.
struct PointsLedger {
    let rules: LoyaltyRules
    let asOf: Int32
    /// Every account: the buyers (the transactions' dense customer numbers), then the
    /// referrers of the customers table who never bought.
    var keys: Column
    var keyName: String
    var buyers: Int
    /// The day each account opened (the first purchase, or for a referrer who never bought the
    /// first referral credit); `Int32.max` when it has not.
    var opened: [Int32]
    var firstPurchase: [Int32]
    var orders: [Int]
    var revenue: [Double]
    var orderPoints: [Double]
    var firstPoints: [Double]
    var referralPoints: [Double]
    var birthdayPoints: [Double]
    var issued: [Double]
    var redeemed: [Double]
    var expired: [Double]
    /// Points earned in the tier window that ends on the as-of date.
    var windowPoints: [Double]
    /// Each account's tier (an index into `rules.tiers`); -1 for no account.
    var tier: [Int]
    /// What the working says about data the program could not use.
    var notes: [String]
    var totalRevenue: Double
    var months: [PointsMonth] = []

    var accounts: Int { keys.count }
    func isMember(_ c: Int) -> Bool { opened[c] <= asOf }
    func outstanding(_ c: Int) -> Double { issued[c] - redeemed[c] - expired[c] }
}

/// The program's figures for one calendar month: flows within it, stocks at its end.
struct PointsMonth {
    var start: Int32
    var members: Int
    var newMembers: Int
    var tierCounts: [Int]
    var revenue: Double
    var issued: Double
    var redeemed: Double
    var expired: Double
    var outstanding: Double
}

/// What a program needs from the customers table: each buyer's referrer and birth month.
struct ProgramCustomers {
    /// Per buyer: the account number of the one who referred them, or -1.
    var referrer: [Int32]
    /// Referrers who never bought, numbered after the buyers.
    var extraKeys: Column?
    /// Per buyer: the birth month 1–12, or 0 when unknown.
    var birthMonth: [UInt8]
    var notes: [String] = []
    var reads: [String] = []

    static func none(_ buyers: Int) -> ProgramCustomers {
        ProgramCustomers(referrer: [Int32](repeating: -1, count: buyers), extraKeys: nil, birthMonth: [UInt8](repeating: 0, count: buyers))
    }

    /// Reads `referred_by` and `birth_month` (or the month of a `birthday` / `birth_date` date, in
    /// `calendar`) from the customers table, matched to the buyers by the id column (as `types` matches it). Every
    /// reason a bonus cannot be given is one line of `notes`.
    static func read(_ customers: Table?, data: TransactionData, rules: LoyaltyRules, calendar: CalendarKind = .gregorian) -> ProgramCustomers {
        var out = none(data.customerCount)
        let wantsReferral = rules.referralBonus != nil, wantsBirthday = rules.birthdayBonus != nil
        guard wantsReferral || wantsBirthday else { return out }
        let needs = [wantsReferral ? "referral_bonus" : nil, wantsBirthday ? "birthday_bonus" : nil].compactMap { $0 }.joined(separator: " and ")
        guard let customers else {
            out.notes.append("no `customers` table is loaded, so \(needs) \(needs.contains(" and ") ? "give" : "gives") no points (\(wantsReferral ? "referrals need `referred_by`" : "")\(wantsReferral && wantsBirthday ? ", " : "")\(wantsBirthday ? "birthdays need `birth_month` or `birthday`" : ""))")
            return out
        }
        let keys = data.keys
        guard let idName = [data.keyName, "id", "customer_id"].first(where: { customers.column($0) != nil }),
              let ids = customers.column(idName), Types.comparable(ids.type, keys.type), ids.type != .double else {
            out.notes.append("the customers table has no id column matching `\(data.keyName)`, so \(needs) \(needs.contains(" and ") ? "give" : "gives") no points")
            return out
        }
        out.reads = ["customers"]
        let buyers = data.customerCount
        // Dense numbers over the buyers' keys, the ids and the referrers: buyers keep 0..<buyers.
        let referredBy = customers.column("referred_by")
        let referrals = wantsReferral && referredBy.map { Types.comparable($0.type, keys.type) && $0.type != .double } == true
        var all = Join.concatenate(keys, ids)
        if referrals, let r = referredBy { all = Join.concatenate(all, r) }
        let g = Grouping(columns: [all], n: all.count)
        // The customers row of each buyer (the first row of each id).
        var rowOf = [Int32](repeating: -1, count: buyers)
        var known = [Bool](repeating: false, count: g.count)
        for r in 0..<ids.count where !ids.isNull(r) {
            let id = g.ids[keys.count + r]
            known[Int(id)] = true
            if Int(id) < buyers && rowOf[Int(id)] < 0 { rowOf[Int(id)] = Int32(r) }
        }
        if wantsReferral {
            if let r = referredBy, referrals {
                var extra: [Int32] = [], accountOf = [Int32: Int32](), unknown = 0, own = 0
                for c in 0..<buyers where rowOf[c] >= 0 {
                    let row = Int(rowOf[c])
                    guard !r.isNull(row) else { continue }
                    let x = g.ids[keys.count + ids.count + row]
                    if Int(x) == c { own += 1; continue }
                    if Int(x) < buyers {
                        out.referrer[c] = x
                    } else if known[Int(x)] {
                        if accountOf[x] == nil {
                            accountOf[x] = Int32(buyers + extra.count)
                            extra.append(Int32(keys.count + ids.count + row))
                        }
                        out.referrer[c] = accountOf[x]!
                    } else {
                        unknown += 1
                    }
                }
                if !extra.isEmpty { out.extraKeys = all.gather(extra) }
                if unknown > 0 { out.notes.append("\(count(unknown, "referral")) name\(unknown == 1 ? "s" : "") a referrer who is not in the customers table: not credited") }
                if own > 0 { out.notes.append("\(count(own, "customer")) named as their own referrer: not credited") }
            } else if let r = referredBy, !(r.type == .string && r.nullCount == r.count) {
                out.notes.append("the customers table's `referred_by` holds \(r.type.rawValue), not ids like `\(idName)`, so referral_bonus gives no points")
            } else if referredBy == nil {
                out.notes.append("the customers table has no `referred_by` column, so referral_bonus gives no points")
            }
        }
        if wantsBirthday {
            let month = customers.column("birth_month"), date = ["birthday", "birth_date"].lazy.compactMap { customers.column($0) }.first
            if let month, month.type == .int {
                var invalid = 0
                for c in 0..<buyers where rowOf[c] >= 0 && !month.isNull(Int(rowOf[c])) {
                    if case .int(let m) = month.value(at: Int(rowOf[c])), (1...12).contains(m) { out.birthMonth[c] = UInt8(m) } else { invalid += 1 }
                }
                if invalid > 0 { out.notes.append("\(count(invalid, "birth_month value")) not 1–12: no birthday points for \(invalid == 1 ? "it" : "them")") }
            } else if let date, date.type == .date || date.type == .datetime {
                for c in 0..<buyers where rowOf[c] >= 0 && !date.isNull(Int(rowOf[c])) {
                    switch date.value(at: Int(rowOf[c])) {
                    case .date(let d): out.birthMonth[c] = UInt8(calendar.parts(Int(d)).month)
                    case .dateTime(let t): out.birthMonth[c] = UInt8(calendar.parts(Int(floorDiv(t, 86400))).month)
                    default: break
                    }
                }
            } else {
                let yearOnly = customers.column("birth_year") != nil ? " (`birth_year` alone gives no month)" : ""
                out.notes.append("the customers table has no `birth_month` or `birthday` column\(yearOnly), so birthday_bonus gives no points")
            }
        }
        return out
    }
}

extension TransactionData {
    /// Runs `rules` over these transactions (up to their as-of date). `multiplier` holds each
    /// transaction's channel multiplier when the program has a channel bonus. With `monthly`,
    /// the figures at the end of every month (in `calendar`) from the first transaction's.
    func pointsLedger(_ rules: LoyaltyRules, multiplier: [Double]?, customers: ProgramCustomers, monthly: Bool = false,
                      calendar: CalendarKind = .gregorian, isCancelled: () -> Bool = { false }, parts: Int? = nil,
                      at location: SourceLocation) throws(Diagnostic) -> PointsLedger {
        let buyers = customerCount, T = asOf
        let keys = customers.extraKeys.map { Join.concatenate(self.keys, $0) } ?? self.keys
        let n = keys.count
        var ledger = PointsLedger(rules: rules, asOf: T, keys: keys, keyName: keyName, buyers: buyers,
                                  opened: [Int32](repeating: .max, count: n), firstPurchase: [Int32](repeating: .max, count: n),
                                  orders: [Int](repeating: 0, count: n), revenue: [Double](repeating: 0, count: n),
                                  orderPoints: [Double](repeating: 0, count: n), firstPoints: [Double](repeating: 0, count: n),
                                  referralPoints: [Double](repeating: 0, count: n), birthdayPoints: [Double](repeating: 0, count: n),
                                  issued: [Double](repeating: 0, count: n), redeemed: [Double](repeating: 0, count: n),
                                  expired: [Double](repeating: 0, count: n), windowPoints: [Double](repeating: 0, count: n),
                                  tier: [Int](repeating: -1, count: n), notes: customers.notes, totalRevenue: 0)
        // Orders and revenue per buyer are the customers' summary (the same sums, in row order).
        let perCustomer = summary()
        ledger.orders.replaceSubrange(0..<buyers, with: perCustomer.transactions)
        ledger.revenue.replaceSubrange(0..<buyers, with: perCustomer.spend)
        // The credits: account, day, points.
        var creditAccount: [Int32] = [], creditDay: [Int32] = [], creditPoints: [Double] = []
        creditAccount.reserveCapacity(count + 2 * buyers)
        creditDay.reserveCapacity(count + 2 * buyers)
        creditPoints.reserveCapacity(count + 2 * buyers)
        // Orders: a purchase (an amount over 0) earns floor(floor(amount / per) × earn × multiplier).
        // Revenue is a sum of money (`Money`), at the amounts' scale.
        var total = MoneySums(count: 1, scale: moneyScale, checked: false)
        let per = rules.earnPer, earn = rules.earnPoints
        var firstPurchase = ledger.firstPurchase, orderPoints = ledger.orderPoints
        for i in 0..<count {
            if i & 0xFFFFF == 0, isCancelled() { throw Diagnostic.interrupted }
            let c = Int(customer[i]), a = amount[i], d = day[i]
            total.add(a)
            guard a > 0 else { continue }
            if d < firstPurchase[c] { firstPurchase[c] = d }
            let p = ((a / per).rounded(.down) * earn * (multiplier?[i] ?? 1)).rounded(.down)
            guard p <= LoyaltyRules.maxPoints else {
                throw Self.tooManyPoints("an order of \(ValueFormat.displayDouble(a))", at: location)
            }
            if p > 0 {
                creditAccount.append(Int32(c))
                creditDay.append(d)
                creditPoints.append(p)
                orderPoints[c] += p
            }
        }
        (ledger.firstPurchase, ledger.orderPoints) = (firstPurchase, orderPoints)
        ledger.totalRevenue = total[0]
        // Bonuses, each on a day of its own (docs/language.md, "Points programs").
        for c in 0..<buyers where ledger.firstPurchase[c] <= T {
            let f = ledger.firstPurchase[c]
            // A referral may have opened the account before the first purchase.
            ledger.opened[c] = min(ledger.opened[c], f)
            if let b = rules.firstBonus, b > 0 {
                creditAccount.append(Int32(c))
                creditDay.append(f)
                creditPoints.append(b)
                ledger.firstPoints[c] += b
            }
            if let b = rules.referralBonus, b > 0, customers.referrer[c] >= 0 {
                let x = Int(customers.referrer[c])
                creditAccount.append(Int32(x))
                creditDay.append(f)
                creditPoints.append(b)
                ledger.referralPoints[x] += b
                ledger.opened[x] = min(ledger.opened[x], f)
            }
            if let b = rules.birthdayBonus, b > 0, customers.birthMonth[c] > 0 {
                // The birth month is one of the session's calendar (1 = Farvardin under .calendar jalali).
                let month = Int(customers.birthMonth[c])
                let firstYear = Int(floorDiv(Int64(calendar.monthIndex(f)), 12)), lastYear = Int(floorDiv(Int64(calendar.monthIndex(T)), 12))
                var year = firstYear
                while year <= lastYear {
                    let d = calendar.firstDay(ofMonth: year * 12 + month - 1)
                    if d >= f && d <= T {
                        creditAccount.append(Int32(c))
                        creditDay.append(d)
                        creditPoints.append(b)
                        ledger.birthdayPoints[c] += b
                    }
                    year += 1
                }
            }
        }
        // Each credit's redeemed and expired share as of T, and the tier window.
        let s = rules.redeemShare, L = rules.redemptionDays, expires = rules.expireDays != nil
        let windowStart: Int64 = rules.tierWindowDays.map { Int64(T) - Int64($0) + 1 } ?? Int64.min
        // On `shares` cores: each takes its share of the accounts and reads every credit, so each
        // account's figures are added in credit order, as on one core; the first adds up the total.
        let shares = parts ?? (creditPoints.count >= 1 << 16 && n >= 2 ? 2 : 1)
        let (account, credited, points) = (creditAccount, creditDay, creditPoints)
        var (issued, redeemed, expired, windowPoints) = (ledger.issued, ledger.redeemed, ledger.expired, ledger.windowPoints)
        // SAFETY: share k writes only the slots of accounts in its own range [low, high) of the
        // four arrays, whose buffers outlive `Parallel.map` (it returns when every share is done);
        // the credits are only read.
        let issuedTotal = issued.withUnsafeMutableBufferPointer { issued in redeemed.withUnsafeMutableBufferPointer { redeemed in
            expired.withUnsafeMutableBufferPointer { expired in windowPoints.withUnsafeMutableBufferPointer { windowPoints in
                Parallel.map(shares) { k -> Double in
                    let low = Int32(n * k / shares), high = Int32(n * (k + 1) / shares)
                    var total = 0.0
                    for j in 0..<points.count {
                        let p = points[j]
                        if k == 0 { total += p }
                        let c32 = account[j]
                        guard c32 >= low && c32 < high else { continue }
                        let c = Int(c32), d = credited[j]
                        issued[c] += p
                        let age = Int(T) - Int(d) + 1
                        redeemed[c] += s * p * Double(min(age, L)) / Double(L)
                        if expires && Int(d) + L <= Int(T) { expired[c] += (1 - s) * p }
                        if Int64(d) >= windowStart { windowPoints[c] += p }
                    }
                    return total
                }[0]
            } }
        } }
        (ledger.issued, ledger.redeemed, ledger.expired, ledger.windowPoints) = (issued, redeemed, expired, windowPoints)
        guard issuedTotal <= LoyaltyRules.maxPoints else { throw Self.tooManyPoints("the program", at: location) }
        for c in 0..<n where ledger.isMember(c) { ledger.tier[c] = rules.tier(ledger.windowPoints[c]) }
        if isCancelled() { throw Diagnostic.interrupted }
        if monthly, let first = day.min() {
            try CohortCommand.checkSpan(calendar, first, T, at: location)
            ledger.months = try monthlyFigures(ledger, from: first, calendar: calendar, credits: (creditAccount, creditDay, creditPoints),
                                               parts: parts ?? (creditPoints.count >= 1 << 16 && n >= 2 ? 2 : 1), isCancelled: isCancelled)
        }
        return ledger
    }

    /// `hint` names the options of the form that was written (the program's, or `points`').
    static func tooManyPoints(_ what: String, at location: SourceLocation,
                              hint: String = "lower `earn` or the channel multipliers, or raise `per`") -> Diagnostic {
        Diagnostic("\(what) would earn more than 9,007,199,254,740,992 points (2^53), past which points cannot be counted exactly", at: location,
                   hint: hint)
    }

    /// Month by month: revenue, points issued, redeemed and expired within each month, points
    /// outstanding, members and members per tier at its end. The program-wide flows come from
    /// prefix sums of the points credited each day (closed forms of the rules above, O(days));
    /// the tiers from a sweep of each account's credits in day order, entering the window on
    /// the day they are earned and leaving it `tierWindowDays` later, where each change of tier
    /// is counted in the month it happens.
    private func monthlyFigures(_ ledger: PointsLedger, from first: Int32, calendar: CalendarKind,
                                credits: ([Int32], [Int32], [Double]), parts: Int, isCancelled: () -> Bool) throws(Diagnostic) -> [PointsMonth] {
        let rules = ledger.rules, T = ledger.asOf
        let (account, creditDay, points) = credits
        let span = Int(T) - Int(first) + 1
        let firstMonth = calendar.monthIndex(first), months = calendar.monthIndex(T) - firstMonth + 1
        // The month of each day of the span, looked up rather than computed per transaction.
        var monthOfDay = [Int32](repeating: 0, count: span)
        var o = 0
        while o < span {
            let m = calendar.monthIndex(first + Int32(o)) - firstMonth
            let end = min(span, Int(calendar.firstDay(ofMonth: firstMonth + m + 1)) - Int(first))
            for k in o..<max(end, o + 1) { monthOfDay[k] = Int32(m) }
            o = max(end, o + 1)
        }
        let monthOf: (Int32) -> Int = { Int(monthOfDay[Int($0) - Int(first)]) }
        // Points credited per day, and prefix sums A (points) and B (points × day offset).
        var perDay = [Double](repeating: 0, count: span)
        for k in 0..<points.count { perDay[Int(creditDay[k]) - Int(first)] += points[k] }
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
        var out = (0..<months).map { m -> PointsMonth in
            PointsMonth(start: calendar.firstDay(ofMonth: firstMonth + m), members: 0, newMembers: 0,
                        tierCounts: [Int](repeating: 0, count: rules.tiers.count), revenue: 0, issued: 0, redeemed: 0, expired: 0, outstanding: 0)
        }
        var revenue = MoneySums(count: months, scale: moneyScale, checked: false)
        for i in 0..<count { revenue.add(amount[i], to: monthOf(day[i])) }
        for m in 0..<months {
            let from = Int(out[m].start) - Int(first), to = (m + 1 < months ? Int(out[m + 1].start) - 1 : Int(T)) - Int(first)
            out[m].revenue = revenue[m]
            out[m].issued = a(to) - a(from - 1)
            out[m].redeemed = redeemed(to) - redeemed(from - 1)
            out[m].expired = expired(to) - expired(from - 1)
            out[m].outstanding = a(to) - redeemed(to) - expired(to)
        }
        if isCancelled() { throw Diagnostic.interrupted }
        // Each account's credits in day order, the same day by credit number: a counting sort
        // by account (which keeps credit-number order), then by day within each account.
        let n = ledger.accounts
        guard account.count < Int(Int32.max) else {
            throw Diagnostic("the program would give more than 2,147,483,647 credits to count by month", at: .statement, hint: "narrow the transactions first")
        }
        var start = [Int](repeating: 0, count: n + 1)
        for k in 0..<account.count { start[Int(account[k]) + 1] += 1 }
        for c in 0..<n { start[c + 1] += start[c] }
        var sorted = [Int32](repeating: 0, count: account.count)
        do {
            var next = start
            for k in 0..<account.count {
                let c = Int(account[k])
                sorted[next[c]] = Int32(k)
                next[c] += 1
            }
        }
        let window = rules.tierWindowDays
        // The accounts in `parts` shares, one per core: each sorts its own accounts' ranges of
        // `sorted` and counts its own openings and changes of tier, added up after (whole
        // numbers, so the same for any `parts`).
        // SAFETY: part k sorts and reads only `sorted[start[c] ..< start[c + 1]]` for the
        // accounts c of its own range [n × k / parts, n × (k + 1) / parts), and those ranges
        // are disjoint; `sorted` outlives `Parallel.map`, which returns when both are done.
        // Everything else the parts share is only read.
        let accountOpened = ledger.opened
        let counted: [(delta: [[Int]], opened: [Int], cancelled: Bool)] = sorted.withUnsafeMutableBufferPointer { sorted in
            Parallel.map(parts) { k in
                var delta = [[Int]](repeating: [Int](repeating: 0, count: rules.tiers.count), count: months)
                var opened = [Int](repeating: 0, count: months)
                for c in (n * k / parts)..<(n * (k + 1) / parts) where accountOpened[c] <= T {
                    if c & 0xFFFF == 0, isCancelled() { return (delta, opened, true) }
                    let lo = start[c], hi = start[c + 1]
                    // Usually in day order already (orders come in row order, bonuses after):
                    // a few out of place are moved by insertion, many sorted.
                    var own = UnsafeMutableBufferPointer(rebasing: sorted[lo..<hi])
                    if own.count > 64 {
                        own.sort { a, b in creditDay[Int(a)] != creditDay[Int(b)] ? creditDay[Int(a)] < creditDay[Int(b)] : a < b }
                    } else {
                        for j in own.indices.dropFirst() {
                            let x = own[j], d = creditDay[Int(x)]
                            var i = j
                            while i > 0 && creditDay[Int(own[i - 1])] > d {
                                own[i] = own[i - 1]
                                i -= 1
                            }
                            own[i] = x
                        }
                    }
                    // Merge the days credits enter the window with the days they leave it.
                    var enter = lo, leave = lo, sum = 0.0, current = -1
                    var x = Int(accountOpened[c])
                    while true {
                        while enter < hi && Int(creditDay[Int(sorted[enter])]) == x {
                            sum += points[Int(sorted[enter])]
                            enter += 1
                        }
                        if let w = window {
                            while leave < enter && Int(creditDay[Int(sorted[leave])]) + w == x {
                                sum -= points[Int(sorted[leave])]
                                leave += 1
                            }
                        }
                        let t = rules.tier(sum), m = monthOf(Int32(x))
                        if current < 0 {
                            opened[m] += 1
                            delta[m][t] += 1
                        } else if t != current {
                            delta[m][current] -= 1
                            delta[m][t] += 1
                        }
                        current = t
                        // The next day anything enters or leaves, up to T.
                        var following = Int.max
                        if enter < hi { following = Int(creditDay[Int(sorted[enter])]) }
                        if let w = window, leave < enter || leave < hi {
                            following = min(following, Int(creditDay[Int(sorted[leave])]) + w)
                        }
                        guard following <= Int(T) else { break }
                        x = following
                    }
                }
                return (delta, opened, false)
            }
        }
        if counted.contains(where: \.cancelled) { throw Diagnostic.interrupted }
        var delta = counted[0].delta, opened = counted[0].opened
        for part in counted.dropFirst() {
            for m in 0..<months {
                opened[m] += part.opened[m]
                for t in delta[m].indices { delta[m][t] += part.delta[m][t] }
            }
        }
        var members = 0, counts = [Int](repeating: 0, count: rules.tiers.count)
        for m in 0..<months {
            members += opened[m]
            for t in counts.indices { counts[t] += delta[m][t] }
            out[m].members = members
            out[m].newMembers = opened[m]
            out[m].tierCounts = counts
        }
        return out
    }
}
