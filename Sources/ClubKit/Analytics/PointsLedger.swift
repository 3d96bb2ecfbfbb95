/// A points program run over the history of the `use` transactions up to an as-of date: every
/// credit (order points, first-purchase, referral and birthday bonuses), what the redemption
/// model has redeemed of each, what has expired, and each account's tier (the same figures at
/// the end of every month are `PointsMonths`). The rules are in docs/language.md, "Points
/// programs"; in short, for a credit of p points on day d, as of day t, with a life of L days
/// and a redeemed share s:
///
///     redeemed(t) = s × p × min(t − d + 1, L) / L          (from day d, evenly over L days)
///     expired(t)  = (1 − s) × p  when d + L ≤ t, else 0    (only when the program expires points)
///     outstanding = p − redeemed − expired
///
/// Everything is one pass over the transactions and one over the credits: 10 million orders
/// take about a second.
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

    var accounts: Int { keys.count }
    func isMember(_ c: Int) -> Bool { opened[c] <= asOf }
    func outstanding(_ c: Int) -> Double { issued[c] - redeemed[c] - expired[c] }
}

/// The credits one share of the orders makes, in row order, with what they add per account.
private struct OrderCredits {
    var account: [Int32] = [], day: [Int32] = [], points: [Double] = []
    var firstPurchase: [Int32]
    var orderPoints: [Double]
    /// The amount of the first order that would earn more than 2^53 points.
    var tooMany: Double?
    var cancelled = false
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
    /// transaction's channel multiplier when the program has a channel bonus; `calendar` places
    /// the birthday credits. The months are `pointsMonths`.
    func pointsLedger(_ rules: LoyaltyRules, multiplier: [Double]?, customers: ProgramCustomers, calendar: CalendarKind = .gregorian, isCancelled: () -> Bool = { false }, parts: Int? = nil,
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
        // Orders: a purchase (an amount over 0) earns floor(floor(amount / per) × earn × multiplier).
        // On `rowParts` cores: each takes its share of the rows, in order, and makes their
        // credits; the shares are put one after the other, so the credits are numbered as on one
        // core. Points are whole numbers, added exactly in any order below 2^53 (past which the
        // program is refused below).
        let per = rules.earnPer, earn = rules.earnPoints
        let rowParts = parts ?? (count >= 1 << 16 ? 2 : 1)
        let rows = count
        let orderShares = Parallel.map(rowParts) { k -> OrderCredits in
            var out = OrderCredits(firstPurchase: [Int32](repeating: .max, count: n), orderPoints: [Double](repeating: 0, count: n))
            let range = (rows * k / rowParts)..<(rows * (k + 1) / rowParts)
            out.account.reserveCapacity(range.count)
            out.day.reserveCapacity(range.count)
            out.points.reserveCapacity(range.count)
            for i in range {
                if i & 0xFFFFF == 0, isCancelled() { out.cancelled = true; return out }
                let c = Int(customer[i]), a = amount[i], d = day[i]
                guard a > 0 else { continue }
                if d < out.firstPurchase[c] { out.firstPurchase[c] = d }
                let p = ((a / per).rounded(.down) * earn * (multiplier?[i] ?? 1)).rounded(.down)
                guard p <= LoyaltyRules.maxPoints else { out.tooMany = a; return out }
                if p > 0 {
                    out.account.append(Int32(c))
                    out.day.append(d)
                    out.points.append(p)
                    out.orderPoints[c] += p
                }
            }
            return out
        }
        if orderShares.contains(where: \.cancelled) { throw Diagnostic.interrupted }
        if let a = orderShares.lazy.compactMap(\.tooMany).first {
            throw Self.tooManyPoints("an order of \(ValueFormat.displayDouble(a))", at: location)
        }
        var creditAccount: [Int32] = [], creditDay: [Int32] = [], creditPoints: [Double] = []
        let orderCredits = orderShares.reduce(0) { $0 + $1.points.count }
        creditAccount.reserveCapacity(orderCredits + 2 * buyers)
        creditDay.reserveCapacity(orderCredits + 2 * buyers)
        creditPoints.reserveCapacity(orderCredits + 2 * buyers)
        var firstPurchase = orderShares[0].firstPurchase, orderPoints = orderShares[0].orderPoints
        for (k, part) in orderShares.enumerated() {
            creditAccount += part.account
            creditDay += part.day
            creditPoints += part.points
            guard k > 0 else { continue }
            for c in 0..<n {
                firstPurchase[c] = min(firstPurchase[c], part.firstPurchase[c])
                orderPoints[c] += part.orderPoints[c]
            }
        }
        (ledger.firstPurchase, ledger.orderPoints) = (firstPurchase, orderPoints)
        // Every amount, in row order.
        ledger.totalRevenue = revenue()
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
        return ledger
    }

    /// `hint` names the options of the form that was written (the program's, or `points`').
    static func tooManyPoints(_ what: String, at location: SourceLocation,
                              hint: String = "lower `earn` or the channel multipliers, or raise `per`") -> Diagnostic {
        Diagnostic("\(what) would earn more than 9,007,199,254,740,992 points (2^53), past which points cannot be counted exactly", at: location,
                   hint: hint)
    }
}
