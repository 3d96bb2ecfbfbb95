import ClubKit
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The load progress bar: on a terminal only (stderr), and only once a load has taken more than
/// half a second. Called from the loader's worker threads; its state is behind a `Mutex`, and it
/// writes with write(2) directly (the shell's buffered stdout belongs to the main thread).
final class ProgressBar: Sendable {
    private struct State {
        var started: Date?
        var drawn = false
    }

    private let state = Mutex(State())

    func update(path: String, done: Double, rows: Int, bytes: Int) {
        state.withLock { state in
            if bytes < 0 {  // finished
                if state.drawn { emit("\r\u{1B}[2K") }
                state = State()
                return
            }
            let now = Date()
            let started = state.started ?? now
            state.started = started
            let elapsed = now.timeIntervalSince(started)
            guard elapsed > 0.5 else { return }
            state.drawn = true
            let width = 30
            let filled = Int(done * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let rate = Double(bytes) * done / elapsed / 1_000_000
            emit("\r\u{1B}[2K" + "loading \(FilePath.lastComponent(path)) \(bar) \(Int(done * 100))%  \(rows.formatted()) rows  \(Int(rate)) MB/s")
        }
    }

    private func emit(_ s: String) {
        let bytes = Array(s.utf8)
        // SAFETY: write(2) reads at most `bytes.count` bytes from the array's own storage,
        // which the closure keeps alive; a short write only shortens one frame of the bar.
        _ = bytes.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    }
}
