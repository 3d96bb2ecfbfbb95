/// Nelder–Mead simplex minimisation (Nelder & Mead 1965), with restarts from the best point so a
/// simplex that collapsed early gets a fresh start. Used on log-parameters, so every parameter
/// stays positive.
enum NelderMead {
    struct Result {
        var point: [Double]
        var value: Double
        var converged: Bool
        var evaluations: Int
    }

    static func minimize(_ f: ([Double]) -> Double, from start: [Double], step: Double = 0.5, tolerance: Double = 1e-10,
                         maxEvaluations: Int = 20_000, restarts: Int = 3) -> Result {
        var best = start
        var bestValue = f(start)
        var evaluations = 1
        var converged = false
        for _ in 0...restarts {
            let r = run(f, from: best, step: step, tolerance: tolerance, maxEvaluations: maxEvaluations - evaluations)
            evaluations += r.evaluations
            let improved = r.value < bestValue - tolerance * (1 + abs(bestValue))
            if r.value <= bestValue { best = r.point; bestValue = r.value }
            converged = r.converged
            if !improved && r.converged { break }
            if evaluations >= maxEvaluations { break }
        }
        return Result(point: best, value: bestValue, converged: converged, evaluations: evaluations)
    }

    private static func run(_ f: ([Double]) -> Double, from start: [Double], step: Double, tolerance: Double, maxEvaluations: Int) -> Result {
        let n = start.count
        var simplex = [start]
        for i in 0..<n {
            var p = start
            p[i] += step
            simplex.append(p)
        }
        var values = simplex.map(f)
        var evaluations = n + 1
        func value(_ p: [Double]) -> Double {
            evaluations += 1
            let v = f(p)
            return v.isFinite ? v : .infinity
        }
        while evaluations < maxEvaluations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = abs(values[n] - values[0])
            let size = (1...n).map { k in zip(simplex[k], simplex[0]).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            if spread <= tolerance * (1 + abs(values[0])) && size <= 1e-8 {
                return Result(point: simplex[0], value: values[0], converged: true, evaluations: evaluations)
            }
            var centroid = [Double](repeating: 0, count: n)
            for k in 0..<n { for i in 0..<n { centroid[i] += simplex[k][i] / Double(n) } }
            func toward(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = toward(-1), fr = value(reflected)
            if fr < values[0] {
                let expanded = toward(-2), fe = value(expanded)
                if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = reflected; values[n] = fr
            } else {
                let contracted = fr < values[n] ? toward(-0.5) : toward(0.5)
                let fc = value(contracted)
                if fc < min(fr, values[n]) {
                    simplex[n] = contracted; values[n] = fc
                } else {
                    for k in 1...n {
                        simplex[k] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[k][$0] - simplex[0][$0]) }
                        values[k] = value(simplex[k])
                    }
                }
            }
        }
        let i = values.indices.min { values[$0] < values[$1] }!
        return Result(point: simplex[i], value: values[i], converged: false, evaluations: evaluations)
    }
}
