import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The load progress bar: on a terminal only (stderr), and only once a load has taken more than
/// half a second. Called from the loader's worker thread; it writes with write(2) directly.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var started: Date?
    private var drawn = false

    func update(path: String, done: Double, rows: Int, bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        if bytes < 0 {  // finished
            if drawn { emit("\r\u{1B}[2K") }
            started = nil
            drawn = false
            return
        }
        let now = Date()
        if started == nil { started = now }
        let elapsed = now.timeIntervalSince(started!)
        guard elapsed > 0.5 else { return }
        drawn = true
        let width = 30
        let filled = Int(done * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = Double(bytes) * done / elapsed / 1_000_000
        emit("\r\u{1B}[2K" + "loading \((path as NSString).lastPathComponent) \(bar) \(Int(done * 100))%  \(rows.formatted()) rows  \(Int(rate)) MB/s")
    }

    private func emit(_ s: String) {
        _ = s.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
