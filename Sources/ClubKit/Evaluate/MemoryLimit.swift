import Foundation

/// The most memory one statement may ask for at once: a statement whose result would need more
/// (a join of billions of rows, a cohort matrix over millennia) stops before allocating, with
/// an error that names the size, instead of the process dying on allocation.
///
/// 80% of physical memory unless `.limit memory 4GB` says otherwise.
public struct MemoryLimit: Equatable, Sendable {
    public var bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    static let standard = MemoryLimit(bytes: Int(Double(ProcessInfo.processInfo.physicalMemory) * 0.8))

    /// Refuses `needed` bytes for `what` ("the join's 3,000,000,000 rows") when over the limit.
    func check(_ needed: Int, for what: String) throws(Diagnostic) {
        guard needed > bytes else { return }
        throw Diagnostic("\(what) would need about \(MemoryLimit.text(needed)), more than the memory limit of \(MemoryLimit.text(bytes))",
                         at: .statement, hint: "narrow it first, or raise the limit with `.limit memory 64GB`")
    }

    /// "19.2 GB", "512 MB": decimal units, as `.limit memory` reads them.
    public static func text(_ bytes: Int) -> String {
        let units = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        for (size, name) in units where Double(bytes) >= size {
            return ValueFormat.displayDouble(ScalarFunctions.round(Double(bytes) / size, 1)) + " " + name
        }
        return "\(bytes) bytes"
    }

    /// `4GB`, `512 MB`, `1.5GiB`, `800000000`: bytes, or nil when it is not a size.
    public static func parse(_ text: String) -> Int? {
        let s = text.replacingOccurrences(of: " ", with: "").uppercased()
        let units: [(String, Double)] = [("TIB", 0x1p40), ("GIB", 0x1p30), ("MIB", 0x1p20), ("KIB", 0x1p10),
                                         ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1)]
        var number = Substring(s), scale = 1.0
        for (suffix, size) in units where s.hasSuffix(suffix) {
            number = s.dropLast(suffix.count)
            scale = size
            break
        }
        guard let n = Double(number), n.isFinite, n > 0, n * scale < 9e18 else { return nil }
        return Int(n * scale)
    }
}

extension SourceLocation {
    /// "The statement being run": an error found while running, which the session places at
    /// the start of its statement.
    static let statement = SourceLocation(line: 0, column: 0)
}
