import Foundation

/// `mbgnbd`: the modified BG/NBD model (Batislam, Denizel & Filiztekin 2007; the model is
/// `MBGNBD`), with `bgnbd`'s options and columns. In BG/NBD a customer without repeat purchases
/// is alive for certain; here one-time buyers can have left too, so their p_alive falls the
/// longer they stay away.
enum MBGNBDCommand: AnalyticsCommandDefinition {
    static let help = HelpTopic(name: "mbgnbd", group: .analytics, usage: "mbgnbd [unit days|weeks] [horizon 39w] · mbgnbd params",
                                meaning: "modified BG/NBD fit (r, alpha, a, b), in which one-time buyers can also have left, and per customer p_alive and expected purchases",
                                example: "mbgnbd | where frequency == 0 and p_alive < 0.3 | count")

    static func options(_ args: inout CommandArguments) throws(Diagnostic) -> BGNBDCommand.Options {
        try BGNBDCommand.options(&args)
    }

    static func bind(_ o: BGNBDCommand.Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsBinding {
        let (key, reads) = try catalog.transactionKey(for: "mbgnbd", at: location)
        if o.params { return AnalyticsBinding(BGNBDCommand.paramsColumns, reads: reads) }
        return AnalyticsBinding([(key.name, key.type), ("frequency", .int), ("recency", .double), ("T", .double), ("spend", .double),
                                 ("p_alive", .double), ("expected_purchases", .double)], reads: reads)
    }

    static func run(_ o: BGNBDCommand.Options, in catalog: SessionCatalog, at location: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let (data, reads) = try catalog.transactionData(for: "mbgnbd", at: location)
        let fits = catalog.modelFits(reads: reads, at: location)
        if o.params {
            let (m, ll) = try fits.mbgnbd(data.repeatSummary(unitDays: o.unit.days), o.unit.days)
            return BGNBDCommand.parameters(o.unit.name, [m.r, m.alpha, m.a, m.b], ll, customers: data.customerCount, model: "MBG/NBD", reads: reads)
        }
        return try data.mbgnbd(o, fits: fits, reads: reads, at: location)
    }
}

extension RepeatSummary {
    /// Fits MBG/NBD as `fitBGNBD` fits BG/NBD (`fit`). Without a repeat purchase the
    /// likelihood only grows as a does (everyone left after their first purchase), so there is
    /// no fit.
    func fitMBGNBD(isCancelled: () -> Bool, at: SourceLocation) throws(Diagnostic) -> (model: MBGNBD, logLikelihood: Double) {
        try fit(MBGNBD.self, named: "MBG/NBD", isCancelled: isCancelled, at: at)
    }
}

extension TransactionData {
    func mbgnbd(_ o: BGNBDCommand.Options, fits: ModelFits, reads: [String], at: SourceLocation) throws(Diagnostic) -> AnalyticsResult {
        let s = repeatSummary(unitDays: o.unit.days)
        let (m, ll) = try fits.mbgnbd(s, o.unit.days)
        return try customers(of: m, named: "MBG/NBD", logLikelihood: ll, summary: s, o, aliveNote: ", one-time buyers included", reads: reads, at: at)
    }
}
