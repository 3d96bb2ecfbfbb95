/// The repeat-purchase rate, as the KPI board counts it (brief §6): customers with two or more
/// purchases over customers with one or more, × 100. `repeat customers R of N` takes the counts
/// typed in, so a trainer needs no table.
enum RepeatCommand: AnalyticsCommandDefinition {
    static func display(column: String) -> DisplayHint { ["repeat_rate"].contains(column) ? .percent : .plain }

    static let help = HelpTopic(name: "repeat", group: .analytics, usage: "repeat · repeat customers R of N",
                                meaning: "repeat rate = customers with 2+ purchases / customers with 1+ × 100", example: "repeat customers 120 of 400")

    enum Options {
        /// From the transactions of `use`.
        case data
        /// `repeat customers R of N`.
        case typed(repeaters: Int64, customers: Int64)
    }

    static let columns: [(String, DataType)] = [("repeat_customers", .int), ("customers", .int), ("repeat_rate", .double)]

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let (repeatersAt, customersAt) = (args.valueLocation("customers"), args.valueLocation("of"))
        guard let r = try args.number("customers") else { return .data }
        guard let n = try args.number("of") else {
            throw Diagnostic("`repeat customers R` needs `of N`, the customers who bought at all", at: repeatersAt, hint: "for example: \(help.example)")
        }
        guard r >= 0, r == r.rounded(), r < 1e15 else { throw Diagnostic("`customers` takes a whole number, not \(shown(r))", at: repeatersAt) }
        guard n > 0, n == n.rounded(), n < 1e15 else { throw Diagnostic("`of` takes a whole number above 0, not \(shown(n))", at: customersAt) }
        guard r <= n else {
            throw Diagnostic("\(shown(r)) repeat customers is more than the \(shown(n)) who bought at all", at: repeatersAt,
                             hint: "repeat customers are among those who bought")
        }
        return .typed(repeaters: Int64(r), customers: Int64(n))
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        switch o {
        case .data: return AnalyticsBinding(columns, reads: try catalog.transactionKey(for: "repeat", at: location).reads)
        case .typed: return AnalyticsBinding(columns, reads: [])
        }
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        switch o {
        case .typed(let repeaters, let customers):
            return rate(repeaters: repeaters, customers: customers, reads: [])
        case .data:
            let (data, reads) = try catalog.transactionData(for: "repeat", at: location)
            guard data.customerCount > 0 else { throw Diagnostic("there are no customers with a purchase, so there is no repeat rate", at: location) }
            let repeaters = data.summary().transactions.filter { $0 >= 2 }.count
            return rate(repeaters: Int64(repeaters), customers: Int64(data.customerCount), reads: reads)
        }
    }

    static func rate(repeaters: Int64, customers: Int64, reads: [String]) -> AnalyticsResult {
        let r = Double(repeaters) / Double(customers) * 100
        return AnalyticsResult(table: row([("repeat_customers", .int(repeaters)), ("customers", .int(customers)), ("repeat_rate", .double(r))]),
                               work: ["repeat rate = (customers with 2+ purchases / customers with 1+) × 100 = (\(repeaters) / \(customers)) × 100 = \(ClubKit.rate(r))"],
                               reads: reads)
    }
}
