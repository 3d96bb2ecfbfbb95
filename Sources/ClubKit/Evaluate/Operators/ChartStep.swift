/// `chart`: the rows pass through unchanged; the session draws them. It is the last step, so
/// the whole table reaches it.
struct ChartOperator: PhysicalOperator {
    var spec: ChartSpec

    var reads: Set<Int> { Set([spec.label].compactMap { $0 } + spec.series) }
    var passesColumnsOn: Bool { true }

    func renumbered(_ map: [Int], rightKept: [Int]?) -> PlanStep {
        var s = spec
        s.label = spec.label.map { map[$0] }
        s.series = spec.series.map { map[$0] }
        return .chart(s)
    }

    func run(_ input: Table, in executor: Executor) throws(Diagnostic) -> Table { input }
}
