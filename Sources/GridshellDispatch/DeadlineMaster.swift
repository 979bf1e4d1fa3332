/// The master problem of the deadline multipliers: which mix of whole-run solutions, each the
/// merit order at some multipliers, is best once every deadline's shortfall is priced.
///
///     maximise   Σ_k μ_k F_k − Σ_j P_j s_j
///     subject to Σ_k μ_k W_jk + s_j − u_j = R_j   (one row per deadline j)
///                Σ_k μ_k = 1
///                μ, s, u ≥ 0
///
/// F_k is a solution's objective, W_jk the work it does for deadline j before the deadline,
/// s_j the GPU-hours missing and u_j those done beyond the requirement. Its duals are the
/// multipliers: λ_j = −(dual of row j), within [0, P_j]. It has one row per deadline and one
/// more, so a dense revised simplex with Bland's rule solves it in microseconds.
struct DeadlineMaster {
    struct Column {
        var objective: Double
        var work: [Double]
    }

    let required: [Double]
    let penalty: [Double]
    /// Rows are scaled by this (GPU-hours) so every coefficient is near 1.
    private let scale: [Double]
    private(set) var columns: [Column] = []
    /// Objectives are kept relative to the first column's, which the convexity row allows.
    private var objectiveOrigin = 0.0
    private var basis: [Int] = []

    init(required: [Double], penalty: [Double]) {
        self.required = required
        self.penalty = penalty
        scale = required.map { max($0, 1) }
    }

    var deadlines: Int { required.count }

    mutating func add(_ column: Column) {
        if columns.isEmpty { objectiveOrigin = column.objective }
        columns.append(column)
    }

    struct Solution {
        /// Weight of each column.
        var weights: [Double]
        /// λ_j, USD per GPU-hour.
        var multipliers: [Double]
        /// The convexity row's dual: the best Lagrangian value any column reaches, USD.
        var bound: Double
        /// The master's optimum, USD.
        var objective: Double
    }

    // Variables: s_j (0..<m), u_j (m..<2m), μ_k (2m...).
    private func column(_ q: Int) -> (a: [Double], cost: Double) {
        let m = deadlines
        var a = [Double](repeating: 0, count: m + 1)
        if q < m {
            a[q] = 1
            return (a, -penalty[q] * scale[q])
        }
        if q < 2 * m {
            a[q - m] = -1
            return (a, 0)
        }
        let c = columns[q - 2 * m]
        for j in 0..<m { a[j] = c.work[j] / scale[j] }
        a[m] = 1
        return (a, c.objective - objectiveOrigin)
    }

    /// Solves the master over the columns so far, warm from the last basis.
    mutating func solve() -> Solution? {
        let m = deadlines, rows = m + 1
        guard let first = columns.first else { return nil }
        let rhs = (0..<m).map { required[$0] / scale[$0] } + [1]
        if basis.isEmpty {
            // The first column alone, the gaps taken up by shortfall or surplus: feasible.
            basis = (0..<m).map { first.work[$0] <= required[$0] ? $0 : m + $0 } + [2 * m]
        }
        let variables = 2 * m + columns.count
        let cols = (0..<variables).map(column)
        for _ in 0..<10_000 {
            guard let inverse = Self.invert(basis.map { cols[$0].a }, rows: rows) else { return nil }
            let x = (0..<rows).map { r in (0..<rows).reduce(0.0) { $0 + inverse[r][$1] * rhs[$1] } }
            let y = (0..<rows).map { i in (0..<rows).reduce(0.0) { $0 + cols[basis[$1]].cost * inverse[$1][i] } }
            // Bland's rule: the first improving variable enters, so the method cannot cycle.
            var entering: Int?
            for q in 0..<variables where !basis.contains(q) {
                let (a, cost) = cols[q]
                var priced = 0.0, size = abs(cost)
                for i in 0..<rows where a[i] != 0 {
                    priced += y[i] * a[i]
                    size += abs(y[i] * a[i])
                }
                if cost - priced > 1e-11 * size + 1e-12 { entering = q; break }
            }
            guard let q = entering else {
                var weights = [Double](repeating: 0, count: columns.count)
                var objective = 0.0
                for (r, v) in basis.enumerated() {
                    let value = max(x[r], 0)
                    if v >= 2 * m { weights[v - 2 * m] = value }
                    objective += cols[v].cost * value
                }
                let total = weights.reduce(0, +)
                if total > 0 { weights = weights.map { $0 / total } }
                let multipliers = (0..<m).map { j in min(max(-y[j] / scale[j], 0), penalty[j]) }
                return Solution(weights: weights, multipliers: multipliers, bound: y[m] + objectiveOrigin, objective: objective + objectiveOrigin)
            }
            let a = cols[q].a
            let u = (0..<rows).map { r in (0..<rows).reduce(0.0) { $0 + inverse[r][$1] * a[$1] } }
            let largest = u.map(abs).max() ?? 0
            var leaving: Int?
            var best = Double.infinity
            for r in 0..<rows where u[r] > 1e-11 * largest {
                let ratio = max(x[r], 0) / u[r]
                guard let l = leaving else { best = ratio; leaving = r; continue }
                let tie = 1e-14 * max(1, best)
                if ratio < best - tie {
                    best = ratio
                    leaving = r
                } else if ratio <= best + tie, basis[r] < basis[l] {
                    leaving = r  // Bland: the lowest variable leaves among ties
                }
            }
            // Unbounded cannot happen (the weights sum to one and shortfalls cost money).
            guard let r = leaving else { return nil }
            basis[r] = q
        }
        return nil
    }

    /// The inverse of the matrix whose columns are `columns`, by Gauss–Jordan with partial pivoting.
    static func invert(_ columns: [[Double]], rows n: Int) -> [[Double]]? {
        var a = (0..<n).map { r in (0..<n).map { columns[$0][r] } + (0..<n).map { $0 == r ? 1.0 : 0.0 } }
        for k in 0..<n {
            guard let p = (k..<n).max(by: { abs(a[$0][k]) < abs(a[$1][k]) }), abs(a[p][k]) > 1e-14 else { return nil }
            a.swapAt(k, p)
            let pivot = a[k][k]
            for c in 0..<(2 * n) { a[k][c] /= pivot }
            for r in 0..<n where r != k && a[r][k] != 0 {
                let f = a[r][k]
                for c in 0..<(2 * n) { a[r][c] -= f * a[k][c] }
            }
        }
        return a.map { Array($0[n...]) }
    }
}
