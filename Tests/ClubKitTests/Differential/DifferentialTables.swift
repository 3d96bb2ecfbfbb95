import Foundation

/// A generated table: columns and rows of literals, written as CSV for clubsh and as SQL for sqlite3.
struct DTable {
    var name: String
    var columns: [DCol]
    var rows: [[DLit]]
    /// Lines end in CR LF rather than LF.
    var crlf = false

    /// The table with up to 24 distinct values of each column noted in its columns.
    var withSamples: DTable {
        var t = self
        for j in columns.indices {
            var seen: [DLit] = []
            for row in rows where row[j] != .null && !seen.contains(row[j]) && seen.count < 24 { seen.append(row[j]) }
            t.columns[j].samples = seen
        }
        return t
    }

    /// What the generator needs to know of it.
    var source: DSource {
        DSource(name: name, columns: columns, cells: rows.map { $0.map { $0 == .null ? nil : "\($0)" } })
    }

    /// RFC 4180 CSV with a header; text always quoted (so `""` is the empty string and spaces,
    /// commas and line breaks are kept), null empty.
    var csv: String {
        let end = crlf ? "\r\n" : "\n"
        var out = columns.map(\.name).joined(separator: ",") + end
        for row in rows {
            out += row.map { cell -> String in
                switch cell {
                case .null: return ""
                case .int(let v): return String(v)
                case .cents(let c): return DLit.centsText(c)
                case .bool(let b): return b ? "true" : "false"
                case .date(let d): return DCivil.text(d)
                case .datetime(let t): return DCivil.text(seconds: t).replacingOccurrences(of: " ", with: "T")
                case .string(let s): return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                }
            }.joined(separator: ",") + end
        }
        return out
    }

    /// The clubsh statement that loads the CSV at `path` with every type stated, so the test
    /// does not lean on type inference.
    func loadStatement(_ path: String) -> String {
        let types = columns.map { "\($0.name): \($0.type == .double ? "double" : $0.type.rawValue)" }.joined(separator: ", ")
        return "load \"\(path)\" as \(name) with delim \",\", header true, types (\(types))"
    }

    /// CREATE TABLE and INSERT statements; `_o` numbers the rows from 1 in file order.
    var sql: String {
        let decl = columns.map { c -> String in
            let t: String
            switch c.type {
            case .int, .bool: t = "INTEGER"
            case .double: t = "REAL"
            default: t = "TEXT"
            }
            return "\(DSQL.quoteName(c.name)) \(t)"
        }
        var out = "CREATE TABLE \(name) (_o INTEGER, \(decl.joined(separator: ", ")));\n"
        guard !rows.isEmpty else { return out }
        out += "INSERT INTO \(name) VALUES\n"
        out += rows.enumerated().map { i, row in "(\(i + 1), \(row.map(DSQL.literal).joined(separator: ", ")))" }.joined(separator: ",\n")
        return out + ";\n"
    }
}

/// The three tables of one round: `t` (the main table: 30–200 rows of every type, with nulls,
/// duplicates, negative numbers, Persian and accented text), `u` (a smaller table to join on
/// `k`, `s`, dates and numbers, with a column that is null throughout) and `v` (keyed by `id`,
/// with names that collide with `t`'s, and 64-bit `big` values shared with `t`).
enum DTables {
    /// Text of several scripts. Entries that Unicode can decompose also appear in their
    /// decomposed (NFD) form in clubsh's files.
    static let words: [String] = [
        "alpha", "Alpha", "beta", "gamma", "Zeta", "zeta", "a b", "O'Brien", "say \"hi\"", "back\\slash", "",
        "007", "10", "9", "x,y", "semi;colon", "pipe|bar", "two\nlines", "tab\tinside", " padded ", "crlf\r\nbreak",
        "café", "Café", "cafe", "naïve", "résumé", "Ångström", "Łódź", "Ærø", "über", "Über", "ß", "ñandú",
        "تهران", "شیراز", "اصفهان", "مشهد", "علی", "علي", "می‌خواهم", "۱۲۳", "١٢٣", "سلام دنیا",
        "☕", "👍🏽", "日本", "Ελλάδα",
    ]
    static let cities = ["تهران", "شیراز", "اصفهان", "تبریز", "Tehran", "Shiraz", "Mashhad", "Kraków", "São Paulo", "Zürich"]
    static let channels = ["web", "app", "store", "وب", "Web"]

    static func make(_ rng: inout SeededGenerator) -> [DTable] {
        let nullRate = rng.pick([0.0, 0.05, 0.1, 0.2])
        func maybeNull(_ v: DLit) -> DLit { rng.chance(nullRate) ? .null : v }
        func word(_ pool: [String]) -> DLit {
            let w = rng.pick(pool)
            let nfd = w.decomposedStringWithCanonicalMapping
            return .string(nfd != w && rng.chance(0.4) ? nfd : w)
        }
        func date() -> DLit {
            if rng.chance(0.2) {
                // Month ends and leap days, where adding months has to clamp.
                let (y, m) = (rng.int(2020...2025), rng.pick([1, 2, 3, 5, 8, 10, 12]))
                let last = DCivil.days(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1
                return .date(last)
            }
            return .date(DCivil.epoch2020 + rng.int(0...2200))
        }
        func dateTime() -> DLit {
            // Some at midnight, to meet dates exactly.
            guard case .date(let day) = date() else { return .null }
            return .datetime(Int64(day) * 86400 + (rng.chance(0.2) ? 0 : Int64(rng.int(0...86399))))
        }
        func smallInt() -> DLit { .int(Int64(rng.chance(0.6) ? rng.int(-10...10) : rng.int(-1000...1000))) }
        func quarters() -> DLit { .cents(Int64(rng.chance(0.7) ? rng.int(-40...40) : rng.int(-10000...10000)) * 25) }

        // t
        let n = rng.int(30...200)
        var ids = Array(1...n)
        rng.shuffle(&ids)
        let tCols = [
            DCol(name: "id", type: .int, bound: Double(n)),
            DCol(name: "k", type: .int, bound: 9),
            DCol(name: "x", type: .int, bound: 1000),
            DCol(name: "y", type: .double, bound: 2500),
            DCol(name: "p", type: .double, bound: 500, dyadic: false),
            DCol(name: "d", type: .date, bound: 2300),
            DCol(name: "s", type: .string, bound: 0),
            DCol(name: "c", type: .string, bound: 0),
            DCol(name: "f", type: .bool, bound: 0),
            DCol(name: "big", type: .int, bound: 6e9),
            DCol(name: "شهر", type: .string, bound: 0),
            DCol(name: "ts", type: .datetime, bound: 2300),
        ]
        let bigPool = (0..<8).map { _ in Int64(rng.int(3_000_000_000...6_000_000_000)) * (rng.chance(0.5) ? -1 : 1) }
        let tRows: [[DLit]] = (0..<n).map { i in
            [
                .int(Int64(ids[i])),
                maybeNull(.int(Int64(rng.int(0...9)))),
                maybeNull(smallInt()),
                maybeNull(quarters()),
                maybeNull(.cents(Int64(rng.int(0...50000)))),
                maybeNull(date()),
                maybeNull(word(words)),
                maybeNull(word(channels)),
                maybeNull(.bool(rng.chance(0.5))),
                maybeNull(.int(rng.chance(0.7) ? rng.pick(bigPool) : Int64(rng.int(-5...5)))),
                maybeNull(word(cities)),
                maybeNull(dateTime()),
            ]
        }

        // u
        let m = rng.int(8...50)
        let uCols = [
            DCol(name: "k", type: .int, bound: 12),
            DCol(name: "s", type: .string, bound: 0),
            DCol(name: "label", type: .string, bound: 0),
            DCol(name: "w", type: .double, bound: 2500),
            DCol(name: "d", type: .date, bound: 2300),
            DCol(name: "flag", type: .bool, bound: 0),
            DCol(name: "n0", type: .string, bound: 0),
            DCol(name: "seen", type: .datetime, bound: 2300),
        ]
        let uRows: [[DLit]] = (0..<m).map { _ in
            [
                maybeNull(.int(Int64(rng.int(0...12)))),
                maybeNull(word(words)),
                maybeNull(word(cities)),
                maybeNull(quarters()),
                maybeNull(date()),
                maybeNull(.bool(rng.chance(0.5))),
                .null,
                maybeNull(dateTime()),
            ]
        }

        // v: some of t's ids (and some beyond them), each once.
        var vIds = Array(1...(n + 20))
        rng.shuffle(&vIds)
        vIds = Array(vIds.prefix(rng.int((n / 3)...n)))
        let vCols = [
            DCol(name: "id", type: .int, bound: Double(n + 20)),
            DCol(name: "c", type: .string, bound: 0),
            DCol(name: "x", type: .int, bound: 1000),
            DCol(name: "score", type: .double, bound: 2500),
            DCol(name: "big", type: .int, bound: 6e9),
        ]
        let vRows: [[DLit]] = vIds.map { id in
            [.int(Int64(id)), maybeNull(word(channels)), maybeNull(smallInt()), maybeNull(quarters()), maybeNull(.int(rng.pick(bigPool)))]
        }
        let crlf = rng.chance(0.3)
        return [DTable(name: "t", columns: tCols, rows: tRows, crlf: crlf), DTable(name: "u", columns: uCols, rows: uRows),
                DTable(name: "v", columns: vCols, rows: vRows, crlf: !crlf)].map(\.withSamples)
    }
}
