/// Segments: named, live subsets of a table (brief §5). The catalog knows them; the reports
/// below look at them.
extension SessionCatalog {
    /// Segment names in definition order.
    var segmentNames: [String] {
        definitionOrder.filter { if case .segment = definitions[$0]?.kind { return true } else { return false } }
    }

    /// The table behind any name: a loaded table, a result or a segment. Given `location`,
    /// errors are placed there.
    func table(named name: String, at location: SourceLocation? = nil) throws(Diagnostic) -> Table {
        if let t = tables[name] { return t }
        // An engine's table stays there: what a report needs of it is computed there.
        if remote(name) != nil {
            throw Diagnostic("`\(name)` is a table in an engine, and this needs it here", at: location ?? .statement,
                             hint: "copy it here first (t = \(name)) and define the segment over `t`")
        }
        // A segment's base may be an analytics command such as `rfm`.
        if !isDefinition(name), let cached = analyticsCache[name] { return cached.result.table }
        return try materialize(name, at: location)
    }

    /// The rows of a table, result or segment.
    func rows(of name: String) throws(Diagnostic) -> Int {
        if tables[name] == nil, remote(name) != nil { return try remoteRowCount(name) }
        if let n = try remoteResultRowCount(name) { return n }
        if let n = try customers360Rows(name) { return n }
        return try table(named: name).rowCount
    }
}

/// The ways to look at segments — `segments`, `profile`, `compare`, `overlap` — and the
/// caption over a segment's table: each reads the segments and their bases from the catalog.
struct SegmentReports {
    let catalog: SessionCatalog

    private func segment(_ n: Name) throws(Diagnostic) -> (table: Table, base: String, baseTable: Table) {
        guard let def = catalog.definition(n.text) else {
            throw Diagnostic("unknown segment `\(n.text)`", at: n.location, hint: Suggest.hint(for: n.text, among: catalog.segmentNames) ?? "`segments` lists them")
        }
        guard case .segment(let base) = def.kind else {
            throw Diagnostic("`\(n.text)` is a result, not a segment", at: n.location, hint: "define one with `segment name = source where condition`")
        }
        return (try catalog.materialize(n.text, at: n.location), base, try catalog.table(named: base, at: n.location))
    }

    /// `segments`: name, base, members, share of base, definition; a segment that cannot be
    /// computed now is left out and named in `skipped` with the reason.
    func segmentsListing(skipped: inout [String]) -> Table {
        var names: [String] = [], bases: [String] = [], members: [Int64] = [], shares: [Double?] = [], texts: [String] = []
        for name in catalog.segmentNames where !catalog.computing.contains(name) && !catalog.checking.contains(name) {
            guard let def = catalog.definitions[name], case .segment(let base) = def.kind else { continue }
            let t: Table, b: Int
            do {
                t = try catalog.materialize(name)
                b = try catalog.rows(of: base)
            } catch {
                skipped.append("`\(name)`: \(error.text)")
                continue
            }
            names.append(name)
            bases.append(base)
            members.append(Int64(t.rowCount))
            shares.append(b == 0 ? nil : (Double(t.rowCount) / Double(b) * 1000).rounded() / 10)
            texts.append(def.text)
        }
        return Table(columnNames: ["name", "base", "members", "share_of_base", "definition"],
                     columns: [stringColumn(names), stringColumn(bases), Column(.int(members)), asPercent(doubleColumn(shares)), stringColumn(texts)],
                     rowCount: names.count)
    }

    /// A share of the base, shown `4.7%` in the modes people read.
    private func asPercent(_ c: Column) -> Column {
        var c = c
        c.display = .percent
        return c
    }

    /// "vip: 123 of 2,642 customers360 rows (4.7%) · customers360 where … · as of 2024-06-30".
    func segmentCaption(_ name: String) throws(Diagnostic) -> String {
        guard let def = catalog.definitions[name], case .segment(let base) = def.kind else { return name }
        // Both tables were just computed for the output this captions; a failure (Ctrl-C) stops it.
        let members = try catalog.rows(of: name), all = try catalog.rows(of: base)
        return "\(name): \(grouped(members)) of \(grouped(all)) \(base) rows (\(percent(members, all))) · \(def.text) · as of \(catalog.calendar.format(catalog.asOf))"
    }

    /// The column that holds money: `by`, else a money-like name, else the first float column.
    private func revenueColumn(_ t: Table, by: Name?) throws(Diagnostic) -> String? {
        if let by {
            guard let i = t.schema.index(of: by.text) else {
                throw Diagnostic("unknown column `\(by.text)`", at: by.location, hint: Suggest.hint(for: by.text, among: t.columnNames))
            }
            guard t.columns[i].type.isNumeric else { throw Diagnostic("`\(by.text)` is not a number", at: by.location) }
            return t.columnNames[i]
        }
        for candidate in ["spend", "revenue", "monetary", "amount", "total", "value", "sales"] {
            if let c = t.column(candidate), c.type.isNumeric { return candidate }
        }
        return t.columnNames.first { t.column($0)?.type == .double }
    }

    /// Numeric columns worth averaging (not identifiers).
    private func measuredColumns(_ t: Table) -> [String] {
        t.columnNames.filter { name in
            guard let c = t.column(name), c.type.isNumeric else { return false }
            let lower = name.lowercased()
            return lower != "id" && !lower.hasSuffix("_id") && !lower.hasSuffix("_by") && lower != catalog.transactions?.customer
        }
    }

    /// Measures of one group of rows against its base: members, share of base, share of
    /// revenue, then the mean of every numeric column.
    private func measures(_ t: Table, base: Table, revenue: String?, columns: [String]) -> [Double?] {
        func sum(_ table: Table, _ name: String) -> Double? { table.column(name).flatMap { Aggregates.whole(.sum, $0) } }
        func mean(_ table: Table, _ name: String) -> Double? { table.column(name).flatMap { Aggregates.whole(.avg, $0) } }
        var out: [Double?] = [Double(t.rowCount), base.rowCount == 0 ? nil : Double(t.rowCount) / Double(base.rowCount) * 100]
        if let revenue, let all = sum(base, revenue), all != 0 { out.append((sum(t, revenue) ?? 0) / all * 100) } else { out.append(nil) }
        for c in columns { out.append(mean(t, c)) }
        return out
    }

    /// Shares to a tenth of a percent, means to a hundredth: what a person reads off a profile.
    private func readable(_ measures: [Double?]) -> [Double?] {
        measures.enumerated().map { k, x in
            let scale = k < 3 ? 10.0 : 100.0
            return x.map { ($0 * scale).rounded() / scale }
        }
    }

    private func measureNames(revenue: String?, columns: [String]) -> [String] {
        ["members", "share_of_base_%", "share_of_revenue_%" + (revenue.map { " (\($0))" } ?? "")] + columns.map { "mean \($0)" }
    }

    /// `profile s [by column]`.
    func profile(_ n: Name, by: Name?) throws(Diagnostic) -> [Output] {
        let (members, baseName, base) = try segment(n)
        let revenue = try revenueColumn(base, by: by)
        let columns = measuredColumns(base)
        let seg = measures(members, base: base, revenue: revenue, columns: columns)
        let all = measures(base, base: base, revenue: revenue, columns: columns)
        let index: [Double?] = zip(seg, all).enumerated().map { k, pair in
            guard k >= 3, let s = pair.0, let b = pair.1, b != 0 else { return nil }
            return (s / b * 1000).rounded() / 10
        }
        let table = Table(columnNames: ["measure", n.text, baseName, "index"],
                          columns: [stringColumn(measureNames(revenue: revenue, columns: columns)), doubleColumn(readable(seg)), doubleColumn(readable(all)), doubleColumn(index)])
        return [.caption("profile of " + (try segmentCaption(n.text))), .table(table)]
    }

    /// `compare a, b, …`: profiles side by side, with the rest of the base.
    func compare(_ names: [Name]) throws(Diagnostic) -> [Output] {
        var segments: [(name: String, table: Table)] = []
        var baseName = "", base = Table(columnNames: [], columns: [], rowCount: 0)
        for n in names {
            let s = try segment(n)
            if segments.isEmpty { (baseName, base) = (s.base, s.baseTable) }
            segments.append((n.text, s.table))
        }
        let key = keyColumn(base)
        let rest = try restOf(base, key: key, segments: segments.map(\.table), at: names[0].location)
        let revenue = try revenueColumn(base, by: nil)
        let columns = measuredColumns(base)
        var outColumns = [stringColumn(measureNames(revenue: revenue, columns: columns))]
        for s in segments { outColumns.append(doubleColumn(readable(measures(s.table, base: base, revenue: revenue, columns: columns)))) }
        outColumns.append(doubleColumn(readable(measures(rest, base: base, revenue: revenue, columns: columns))))
        outColumns.append(doubleColumn(readable(measures(base, base: base, revenue: revenue, columns: columns))))
        let table = Table(columnNames: ["measure"] + segments.map(\.name) + ["rest", baseName], columns: outColumns)
        return [.caption("compared over \(baseName) (\(grouped(base.rowCount)) rows; rest = rows in none of them, by \(key)) · as of \(catalog.calendar.format(catalog.asOf))"), .table(table)]
    }

    /// `overlap a, b`: members in both, only in a, only in b.
    func overlap(_ a: Name, _ b: Name) throws(Diagnostic) -> [Output] {
        let sa = try segment(a), sb = try segment(b)
        let key = keyColumn(sa.baseTable)
        guard let ka = sa.table.column(key), let kb = sb.table.column(key), Types.comparable(ka.type, kb.type) else {
            throw Diagnostic("`\(a.text)` and `\(b.text)` share no key column `\(key)` to match members by", at: b.location)
        }
        let ids = Grouping(columns: [Join.concatenate(ka, kb)], n: ka.count + kb.count).ids
        let inA = Set(ids[0..<ka.count]), inB = Set(ids[ka.count...])
        let both = inA.intersection(inB).count
        let counts = [both, inA.count - both, inB.count - both]
        let union = inA.union(inB).count
        let table = Table(columnNames: ["part", "members", "share_of_union"],
                          columns: [stringColumn(["both", "only \(a.text)", "only \(b.text)"]), Column(.int(counts.map(Int64.init))),
                                    doubleColumn(counts.map { union == 0 ? nil : (Double($0) / Double(union) * 1000).rounded() / 10 })])
        return [.caption("members matched by \(key) · as of \(catalog.calendar.format(catalog.asOf))"), .table(table)]
    }

    /// The column that identifies a row of `t`: the customer role, a usual id name, else the first.
    func keyColumn(_ t: Table) -> String {
        for candidate in [catalog.transactions?.customer, "customer_id", "id", "customer", "client_id"].compactMap({ $0 }) where t.column(candidate) != nil {
            return candidate
        }
        return t.columnNames.first ?? "id"
    }

    /// The rows of `base` whose key is in none of `segments`.
    private func restOf(_ base: Table, key: String, segments: [Table], at location: SourceLocation) throws(Diagnostic) -> Table {
        guard var all = base.column(key) else { return base }
        for s in segments {
            guard let k = s.column(key), Types.comparable(all.type, k.type) else {
                throw Diagnostic("the segments do not share the key column `\(key)`", at: location)
            }
            all = Join.concatenate(all, k)
        }
        let ids = Grouping(columns: [all], n: all.count).ids
        let taken = Set(ids[base.rowCount...])
        let keep = (0..<base.rowCount).filter { !taken.contains(ids[$0]) }.map { Int32($0) }
        return base.gather(keep)
    }
}
