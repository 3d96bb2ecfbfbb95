/// A unified diff of two texts, line by line: every line of both, marked ` ` (in both), `-` (only
/// in the old) or `+` (only in the new).
///
/// Myers' O((n + m)·D) algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986) on
/// what remains after the common first and last lines, so an output that changed in a few places
/// costs little however long it is. Past `maxEdits` differences the rest is shown as removed and
/// added whole: still a correct diff, not the shortest, in bounded time and memory.
public enum LineDiff {
    static let maxEdits = 2_000

    public static func unified(_ old: String, _ new: String, oldName: String = "stored", newName: String = "fresh") -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        for (mark, line) in script(a, b) { out += String(mark) + line + "\n" }
        return out
    }

    /// The lines of both, in order, each with its mark.
    static func script(_ a: [String], _ b: [String]) -> [(Character, String)] {
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = Array(a[head..<(a.count - tail)]), y = Array(b[head..<(b.count - tail)])
        var out = a[..<head].map { (Character(" "), $0) }
        out += middle(x, y)
        out += a[(a.count - tail)...].map { (Character(" "), $0) }
        return out
    }

    /// Myers' greedy forward search, keeping each round's furthest points to walk back along.
    private static func middle(_ a: [String], _ b: [String]) -> [(Character, String)] {
        let n = a.count, m = b.count
        if n == 0 || m == 0 { return a.map { ("-", $0) } + b.map { ("+", $0) } }
        let offset = min(n + m, maxEdits) + 1
        var v = [Int](repeating: 0, count: 2 * offset + 1)
        var trace: [[Int]] = []
        for d in 0...min(n + m, maxEdits) {
            trace.append(Array(v[(offset - d)...(offset + d)]))  // the rounds before, for k in -d…d
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { return walkBack(a, b, trace, offset) }
            }
        }
        return a.map { ("-", $0) } + b.map { ("+", $0) }
    }

    /// From the end back to the start through the saved rounds: the edit script in order.
    private static func walkBack(_ a: [String], _ b: [String], _ trace: [[Int]], _ offset: Int) -> [(Character, String)] {
        var x = a.count, y = b.count
        var reversed: [(Character, String)] = []
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d], k = x - y
            let down = k == -d || (k != d && v[k - 1 + d] < v[k + 1 + d])
            let previousK = down ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v[previousK + d], previousY = previousX - previousK
            while x > previousX && y > previousY { x -= 1; y -= 1; reversed.append((" ", a[x])) }
            if d > 0 {
                if down { y -= 1; reversed.append(("+", b[y])) } else { x -= 1; reversed.append(("-", a[x])) }
            }
        }
        return reversed.reversed()
    }
}
