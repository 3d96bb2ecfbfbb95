/// What acquiring a customer costs against keeping one, with the club's own numbers. Seed 003
/// (`003_500dce558dac9efa.txt`): «هزینه جذب مشتری جدید می‌تواند تا ۲۵ برابر هزینه حفظ مشتری موجود
/// باشد», "acquiring a new customer can cost up to 25 times keeping an existing one". The typed-in
/// form shows the ratio, and with `customers N` what replacing N lost customers costs against
/// keeping them.
enum AcquisitionCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "acquisition", group: .analytics, usage: "acquisition cost A retention R [customers N]",
                                meaning: "acquiring a customer (A each) against keeping one (R each): the ratio seed 003 puts at up to 25×, and for N customers the cost of replacing against keeping them",
                                example: "acquisition cost 500 retention 20 customers 100")

    struct Options {
        var acquisition: Double, retention: Double, customers: Double?
    }

    static let columns: [(String, DataType)] = [("acquisition_cost", .double), ("retention_cost", .double), ("ratio", .double),
                                                ("customers", .double), ("replacing", .double), ("keeping", .double), ("saved", .double)]

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> Options {
        let at = args.command.location
        let (costAt, retentionAt, customersAt) = (args.valueLocation("cost"), args.valueLocation("retention"), args.valueLocation("customers"))
        guard let acquisition = try args.number("cost"), let retention = try args.number("retention") else {
            throw Diagnostic("`acquisition` takes `cost A retention R`: what one new customer costs to win, and one existing customer to keep", at: at,
                             hint: "for example: \(help.example)")
        }
        guard acquisition >= 0 else { throw Diagnostic("a cost is not negative", at: costAt) }
        guard retention > 0 else { throw Diagnostic("the retention cost must be above 0 to compare with it", at: retentionAt) }
        let customers = try args.number("customers")
        if let customers { guard customers >= 0 else { throw Diagnostic("a number of customers is not negative", at: customersAt) } }
        return Options(acquisition: acquisition, retention: retention, customers: customers)
    }

    static func bind(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        AnalyticsBinding(o.customers == nil ? Array(columns.prefix(3)) : columns, reads: [])
    }

    static func run(_ o: Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let ratio = o.acquisition / o.retention
        var work = ["acquisition cost / retention cost = \(shown(o.acquisition)) / \(shown(o.retention)) = \(shown(ratio))× (seed 003: up to 25×)"]
        var pairs: [(String, Value)] = [("acquisition_cost", .double(o.acquisition)), ("retention_cost", .double(o.retention)), ("ratio", .double(ratio))]
        if let n = o.customers {
            let replacing = n * o.acquisition, keeping = n * o.retention
            work.append("for \(shown(n)) customers: replacing them = \(shown(n)) × \(shown(o.acquisition)) = \(shown(replacing)); keeping them = \(shown(n)) × \(shown(o.retention)) = \(shown(keeping)); saved by keeping = \(shown(replacing - keeping))")
            pairs += [("customers", .double(n)), ("replacing", .double(replacing)), ("keeping", .double(keeping)), ("saved", .double(replacing - keeping))]
        }
        return AnalyticsResult(table: row(pairs), work: work, reads: [])
    }
}
