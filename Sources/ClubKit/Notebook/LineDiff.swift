/// A unified diff of two texts, as `diff -u` writes it: `---` and `+++` lines naming the two,
/// then a hunk per group of changes with three lines of context around it, each under an
/// `@@ -start,count +start,count @@` header (lines numbered from 1 within each text; a count of
/// one is left out, and an empty side starts at the line before it), each line marked ` ` (in
/// both), `-` (only in the old) or `+` (only in the new). A text that does not end with a
/// newline says so after its last line (`\ No newline at end of file`).
///
/// Myers' O((n + m)·D) algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986) on
/// what remains after the common first and last lines, so an output that changed in a few places
/// costs little however long it is. Past `maxEdits` differences the rest is shown as removed and
/// added whole: still a correct diff, not the shortest, in bounded time and memory.
public enum LineDiff {
    static let maxEdits = 2_000

    public static func unified(_ old: String, _ new: String, oldName: String = "stored", newName: String = "fresh", context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        let edits = script(a, b)
        for hunk in hunks(edits, context: context) {
            out += hunk.header + "\n"
            for (mark, line) in edits[hunk.range] {
                // A last line without a newline carries one as its mark (see `lines`).
                if line.hasSuffix("\n") {
                    out += String(mark) + line + "\\ No newline at end of file\n"
                } else {
                    out += String(mark) + line + "\n"
                }
            }
        }
        return out
    }

    /// The lines of `text` without their newlines. A last line that has none keeps a "\n" at
    /// its end, which no other line can hold, so it differs from the same line with a newline.
    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() } else { lines[lines.count - 1] += "\n" }
        return lines
    }

    /// The groups of `edits` to show: each change with `context` unchanged lines either side,
    /// changes closer than twice that sharing one hunk, and the hunk's header.
    static func hunks(_ edits: [(Character, String)], context: Int) -> [(range: Range<Int>, header: String)] {
        let changed = edits.indices.filter { edits[$0].0 != " " }
        guard var first = changed.first else { return [] }
        var groups: [Range<Int>] = []
        var last = first
        for k in changed.dropFirst() {
            if k - last - 1 > 2 * context {
                groups.append(max(0, first - context)..<min(edits.count, last + context + 1))
                first = k
            }
            last = k
        }
        groups.append(max(0, first - context)..<min(edits.count, last + context + 1))
        // Line numbers: how many old and new lines come before each entry.
        var oldBefore = [Int](repeating: 0, count: edits.count + 1), newBefore = oldBefore
        for (k, edit) in edits.enumerated() {
            oldBefore[k + 1] = oldBefore[k] + (edit.0 == "+" ? 0 : 1)
            newBefore[k + 1] = newBefore[k] + (edit.0 == "-" ? 0 : 1)
        }
        func side(_ before: [Int], _ range: Range<Int>) -> String {
            let count = before[range.upperBound] - before[range.lowerBound]
            let start = before[range.lowerBound] + (count == 0 ? 0 : 1)
            return count == 1 ? "\(start)" : "\(start),\(count)"
        }
        return groups.map { ($0, "@@ -\(side(oldBefore, $0)) +\(side(newBefore, $0)) @@") }
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
