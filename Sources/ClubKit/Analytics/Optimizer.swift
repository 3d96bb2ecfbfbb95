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

/// BFGS quasi-Newton minimisation (Nocedal & Wright, "Numerical Optimization", 2006, §6.1) with
/// an analytic gradient and a backtracking (Armijo) line search. The inverse Hessian estimate H
/// starts as the identity, scaled by yᵀs / yᵀy after the first step (their eq. 6.20); an update
/// whose curvature yᵀs is not positive is skipped, and a search direction that does not go
/// downhill restarts from the steepest descent. Converged when the quasi-Newton step −H·g moves
/// no coordinate by more than `tolerance` (on log-parameters: each parameter to that relative
/// accuracy), or the gradient vanishes; where rounding of a large sum hides any lower point
/// along a step of at most 1e4 · `tolerance`, that point is the minimum to the sum's precision.
enum BFGS {
    static func minimize(_ f: ([Double]) -> (value: Double, gradient: [Double]), from start: [Double], tolerance: Double = 1e-10,
                         maxEvaluations: Int = 2_000) -> NelderMead.Result {
        let n = start.count
        var point = start
        var (value, gradient) = f(point)
        var evaluations = 1
        guard value.isFinite, gradient.allSatisfy(\.isFinite) else {
            return NelderMead.Result(point: point, value: .infinity, converged: false, evaluations: evaluations)
        }
        func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0.0) { $0 + $1.0 * $1.1 } }
        func identity() -> [[Double]] { (0..<n).map { i in (0..<n).map { i == $0 ? 1.0 : 0.0 } } }
        func result(_ converged: Bool) -> NelderMead.Result {
            NelderMead.Result(point: point, value: value, converged: converged, evaluations: evaluations)
        }
        var inverse = identity(), scaled = false
        while evaluations < maxEvaluations {
            if gradient.allSatisfy({ $0 == 0 }) { return result(true) }
            var direction = inverse.map { -dot($0, gradient) }
            var slope = dot(direction, gradient)
            if !(slope < 0) {
                inverse = identity()
                scaled = false
                direction = gradient.map { -$0 }
                slope = dot(direction, gradient)
            }
            let longest = direction.map(abs).max() ?? 0
            if scaled && longest <= tolerance { return result(true) }
            // Before the inverse Hessian has a scale, the first step moves each log-parameter by at most 1.
            var step = scaled ? 1.0 : 1 / longest
            var next: (point: [Double], value: Double, gradient: [Double])?
            for attempt in 0..<60 where evaluations < maxEvaluations {
                let trial = (0..<n).map { point[$0] + step * direction[$0] }
                if trial == point { break }
                let (v, g) = f(trial)
                evaluations += 1
                guard v.isFinite, g.allSatisfy(\.isFinite) else {
                    step *= 0.25
                    continue
                }
                if v <= value + 1e-4 * step * slope {
                    next = (trial, v, g)
                    break
                }
                // Close to the minimum the decrease of a full step falls below the rounding of f;
                // the gradient still tells, so a full step that leaves f unchanged to its
                // precision and shrinks the gradient is taken.
                let noise = 1e-12 * (1 + abs(value))
                if attempt == 0 && scaled && -slope <= noise && abs(v - value) <= noise && (g.map(abs).max() ?? 0) < (gradient.map(abs).max() ?? 0) {
                    next = (trial, v, g)
                    break
                }
                // The minimum of the quadratic through f(0), f′(0) and f(step), within [0.1, 0.5] of the step.
                step *= v > value ? max(0.1, min(0.5, -slope * step / (2 * (v - value - slope * step)))) : 0.25
            }
            guard let accepted = next else {
                if scaled && longest <= 1e4 * tolerance { return result(true) }
                if scaled {
                    inverse = identity()
                    scaled = false
                    continue
                }
                return result(false)
            }
            let s = (0..<n).map { accepted.point[$0] - point[$0] }
            let y = (0..<n).map { accepted.gradient[$0] - gradient[$0] }
            (point, value, gradient) = accepted
            let sy = dot(s, y), yy = dot(y, y)
            guard sy > 1e-12 * dot(s, s).squareRoot() * yy.squareRoot() else { continue }
            if !scaled {
                inverse = (0..<n).map { i in (0..<n).map { i == $0 ? sy / yy : 0 } }
                scaled = true
            }
            // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / yᵀs.
            let rho = 1 / sy
            let hy = inverse.map { dot($0, y) }
            let yhy = dot(y, hy)
            for i in 0..<n {
                for j in 0..<n {
                    inverse[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                }
            }
        }
        return result(false)
    }
}
