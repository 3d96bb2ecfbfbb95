/// The tables of `simulate` and the working above them: per tier, per month, per member.
/// Points that the redemption model splits (redeemed, expired, outstanding) and money are
/// rounded to 2 decimals; points issued are whole.
extension PointsLedger {
    /// The members, in key order.
    private var memberOrder: [Int] {
        let less = Sorting.lessThan(keys)
        return (0..<accounts).filter(isMember).sorted { a, b in less(a, b) || (!less(b, a) && a < b) }
    }

    private func money(_ points: Double) -> Double? { rules.pointValue.map { round2(points * $0) } }

    /// One row per tier, lowest first.
    func summaryTable() -> Table {
        let k = rules.tiers.count
        // The tiers' revenue: sums of the accounts' revenue, money at its scale (`Money`).
        var members = [Int](repeating: 0, count: k), revenue = MoneySums(count: k, scale: Money.scale(of: self.revenue))
        var issued = [Double](repeating: 0, count: k), redeemed = issued, expired = issued, outstanding = issued
        for c in 0..<accounts where isMember(c) {
            let t = tier[c]
            members[t] += 1
            revenue.add(self.revenue[c], to: t)
            issued[t] += self.issued[c]
            redeemed[t] += self.redeemed[c]
            expired[t] += self.expired[c]
            outstanding[t] += self.outstanding(c)
        }
        let all = members.reduce(0, +), money = revenue.values, allMoney = Money.sum(money, scale: Money.scale(of: self.revenue))
        let cost = (0..<k).map { self.money(issued[$0] - expired[$0]) }
        return Table(columnNames: ["tier", "min_points", "members", "share", "revenue", "revenue_share"] + SimulateCommand.pointColumns,
                     columns: [stringColumn(rules.tiers.map(\.name)), Column(.double(rules.tiers.map(\.threshold))), Column(.int(members.map(Int64.init))),
                               doubleColumn(members.map { all == 0 ? nil : round2(Double($0) / Double(all) * 100) }), Column(.double(money.map(round2))),
                               doubleColumn(money.map { allMoney == 0 ? nil : round2($0 / allMoney * 100) }),
                               Column(.double(issued)), Column(.double(redeemed.map(round2))), Column(.double(expired.map(round2))),
                               Column(.double(outstanding.map(round2))), doubleColumn(outstanding.map(self.money)), doubleColumn(cost),
                               doubleColumn((0..<k).map { i in cost[i].flatMap { money[i] > 0 ? round2($0 / money[i] * 100) : nil } })])
    }

    /// The working behind the summary's figures, totals first.
    func summaryWork() -> [String] {
        var orders = 0.0, first = 0.0, referral = 0.0, birthday = 0.0, redeemedAll = 0.0, expiredAll = 0.0, money = MoneySums(count: 1, scale: Money.scale(of: revenue))
        var members = 0
        for c in 0..<accounts where isMember(c) {
            members += 1
            orders += orderPoints[c]; first += firstPoints[c]; referral += referralPoints[c]; birthday += birthdayPoints[c]
            redeemedAll += redeemed[c]; expiredAll += expired[c]
            money.add(revenue[c])
        }
        let issued = orders + first + referral + birthday
        let outstanding = issued - redeemedAll - expiredAll
        var parts = ["\(grouped(orders)) for orders"]
        if rules.firstBonus != nil { parts.append("\(grouped(first)) first-purchase") }
        if rules.referralBonus != nil { parts.append("\(grouped(referral)) referral") }
        if rules.birthdayBonus != nil { parts.append("\(grouped(birthday)) birthday") }
        var work = ["members = \(grouped(members)) customers with a points account by \(CivilDate.format(asOf)) (opened by a first purchase, or by a referral credit)",
                    "points issued = " + (parts.count > 1 ? parts.joined(separator: " + ") + " = \(grouped(issued))" : parts[0])]
        work += rules.flowLines(asOf: asOf, redeemed: redeemedAll, expired: expiredAll)
        work.append("points outstanding = issued − redeemed − expired = \(grouped(issued)) − \(grouped(redeemedAll)) − \(grouped(expiredAll)) = \(grouped(outstanding))")
        work += moneyLines(issued: issued, expired: expiredAll, outstanding: outstanding, revenue: money[0], of: "members' revenue")
        work.append(tierLine())
        return work
    }

    private func moneyLines(issued: Double, expired: Double, outstanding: Double, revenue: Double, of what: String) -> [String] {
        guard let v = rules.pointValue else { return ["liability and reward cost need `point_value` (what one point is worth), which the program does not give"] }
        let cost = (issued - expired) * v
        return ["liability = outstanding × point value = \(grouped(outstanding)) × \(shown(v)) = \(grouped(outstanding * v))",
                "reward cost = (issued − expired) × point value = (\(grouped(issued)) − \(grouped(expired))) × \(shown(v)) = \(grouped(cost))"
                + (revenue > 0 ? "; \(grouped(cost)) / \(grouped(revenue)) \(what) × 100 = \(grouped(round2(cost / revenue * 100)))%" : "")]
    }

    private func tierLine() -> String {
        let window = rules.tierWindowDays.map { "earned \(CivilDate.format(asOf - Int32($0) + 1)) to \(CivilDate.format(asOf)) (\(grouped($0)) days)" } ?? "earned by \(CivilDate.format(asOf))"
        return "tiers by points \(window): " + TiersCommand.tierLine(rules)
    }

    /// One row per member, in key order.
    func membersTable() -> Table {
        let order = memberOrder
        let pick = { (a: [Double]) in Column(.double(order.map { a[$0] })) }
        return Table(columnNames: [keyName, "tier", "first_purchase", "orders", "revenue", "order_points", "first_bonus_points", "referral_points", "birthday_points",
                                   "points_issued", "points_redeemed", "points_expired", "points_outstanding", "tier_points", "liability"],
                     columns: [keys.gather(order.map { Int32($0) }), stringColumn(order.map { rules.tiers[tier[$0]].name }),
                               dateColumn(order.map { firstPurchase[$0] <= asOf ? firstPurchase[$0] : nil }), Column(.int(order.map { Int64(orders[$0]) })),
                               Column(.double(order.map { round2(revenue[$0]) })), pick(orderPoints), pick(firstPoints), pick(referralPoints), pick(birthdayPoints),
                               pick(issued), Column(.double(order.map { round2(redeemed[$0]) })), Column(.double(order.map { round2(expired[$0]) })),
                               Column(.double(order.map { round2(outstanding($0)) })), pick(windowPoints), doubleColumn(order.map { money(outstanding($0)) })])
    }

    func membersWork() -> [String] {
        let members = (0..<accounts).filter(isMember).count
        return ["\(grouped(members)) members; points_issued = order_points + first_bonus_points + referral_points + birthday_points; points_outstanding = points_issued − points_redeemed − points_expired"
                + (rules.pointValue.map { "; liability = points_outstanding × \(shown($0))" } ?? ""),
                tierLine().replacingOccurrences(of: "tiers by points", with: "tier by tier_points, the points")]
    }
}

extension PointsMonths {
    /// One row per month from the first transaction's to the as-of date's.
    func monthlyTable(_ calendar: CalendarKind) -> Table {
        let v = rules.pointValue
        var names = ["month", "members", "new_members"] + rules.tiers.map { "members_" + $0.name }
        var columns = [Column(.date(months.map(\.start))), Column(.int(months.map { Int64($0.members) })), Column(.int(months.map { Int64($0.newMembers) }))]
        for t in rules.tiers.indices { columns.append(Column(.int(months.map { Int64($0.tierCounts[t]) }))) }
        names += ["revenue"] + SimulateCommand.pointColumns
        let cost = months.map { m in v.map { round2((m.issued - m.expired) * $0) } }
        columns += [Column(.double(months.map { round2($0.revenue) })), Column(.double(months.map(\.issued))),
                    Column(.double(months.map { round2($0.redeemed) })), Column(.double(months.map { round2($0.expired) })),
                    Column(.double(months.map { round2($0.outstanding) })), doubleColumn(months.map { m in v.map { round2(m.outstanding * $0) } }),
                    doubleColumn(cost), doubleColumn(zip(months, cost).map { m, c in c.flatMap { m.revenue > 0 ? round2($0 / m.revenue * 100) : nil } })]
        return Table(columnNames: names, columns: columns)
    }

    func monthlyWork() -> [String] {
        ["each month: points issued, redeemed and expired within it, revenue of every transaction in it; members, members per tier and points outstanding at its end (the last month ends on \(CivilDate.format(asOf)))",
         "points_outstanding = all issued − all redeemed − all expired to the month's end; liability = points_outstanding × point value; reward_cost = (issued − expired) × point value; cost_share = reward_cost / revenue × 100",
         rules.flowLines(asOf: asOf, redeemed: months.reduce(0) { $0 + $1.redeemed }, expired: months.reduce(0) { $0 + $1.expired })[0],
         "members_TIER: members in each tier at the month's end, by points earned "
            + (rules.tierWindowDays.map { "in the \(grouped($0)) days ending then" } ?? "by then") + ": " + TiersCommand.tierLine(rules)]
    }
}

extension LoyaltyRules {
    /// How redeemed and expired points are counted.
    func flowLines(asOf: Int32, redeemed: Double, expired: Double) -> [String] {
        let L = redemptionDays
        let life = expireDays != nil ? "their \(grouped(L))-day life" : "\(grouped(L)) days (points never expire, so redemption is spread over a year)"
        let r = redeemShare > 0 ? "points redeemed = \(rate(redeemShare * 100)) of each day's points, evenly over \(life) from the day they are earned = \(grouped(redeemed))"
            : "points redeemed = 0 (the program has no `redeem`)"
        let e = expireDays.map { days in
            "points expired = the \(rate((1 - redeemShare) * 100)) not redeemed of the points earned \(grouped(days)) days or more before \(CivilDate.format(asOf)) (on or before \(CivilDate.format(asOf - Int32(days)))) = \(grouped(expired))"
        } ?? "points expired = 0 (the program has no `expire`)"
        return [r, e]
    }
}
