import ClubKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the terminal and writing to it.
///
/// Its statics are `nonisolated(unsafe)`: the shell runs statements on the main thread, and only
/// the main thread writes results and touches `buffer` and `outputFile` (the loader's worker
/// threads report progress through `ProgressBar`, which writes to stderr itself). `interrupted`
/// is a `sig_atomic_t` set by the SIGINT handler, the one kind of write a handler may make.
enum Terminal {
    static var stdinIsTerminal: Bool { isatty(0) == 1 }
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Colours on a terminal (or where `--color` asks for them), and never with NO_COLOR set
    /// (https://no-color.org): not even `--color` or `.color on` brings them back.
    static func colorWanted(override: Bool?) -> Bool {
        if noColor { return false }
        return override ?? stdoutIsTerminal
    }

    /// NO_COLOR is set to something (an empty value counts as unset).
    static var noColor: Bool {
        guard let v = getenv("NO_COLOR") else { return false }
        return v.pointee != 0
    }

    /// Standard output is buffered here and written with write(2); `flush` empties the buffer.
    nonisolated(unsafe) private static var buffer: [UInt8] = []

    /// The terminal's width in columns (80 when unknown).
    static var width: Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The terminal's height in lines (24 when unknown).
    static var height: Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return 24
    }

    /// Set by Ctrl-C at the prompt; read by the engine between chunks of work.
    nonisolated(unsafe) static var interrupted: sig_atomic_t = 0

    /// Ctrl-C sets `interrupted` instead of ending clubsh. At the prompt every Ctrl-C does
    /// (`once` false); elsewhere (`once` true) the first stops the running statement and the
    /// second ends clubsh at once, as Ctrl-C usually does.
    static func catchInterrupts(once: Bool = false) {
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = { _ in Terminal.interrupted = 1 }
        #else
        action.__sigaction_u.__sa_handler = { _ in Terminal.interrupted = 1 }
        #endif
        sigemptyset(&action.sa_mask)
        // No SA_RESTART: a blocking read or write returns EINTR, so a wait can be stopped.
        action.sa_flags = once ? Int32(bitPattern: UInt32(truncatingIfNeeded: SA_RESETHAND)) : 0
        sigaction(SIGINT, &action, nil)
    }

    /// Where results go: stdout, or the file `.output` named.
    nonisolated(unsafe) static var outputFile: OutputFile?

    /// Puts the `.output` file in place (a regular file is written beside it and renamed over
    /// it when `.output` ends) and sends results back to stdout.
    static func finishOutput(at location: SourceLocation) throws(Diagnostic) {
        guard let file = outputFile else { return }
        outputFile = nil
        do throws(OutputFileError) { try file.commit() } catch { throw Diagnostic("the results for `.output \(file.path)` were not kept: \(error.message)", at: location) }
    }

    /// At exit: the `.output` file put in place, stdout flushed. False when the file could not be written.
    static func finish() -> Bool {
        var ok = true
        if let file = outputFile {
            outputFile = nil
            do { try file.commit() } catch {
                writeError("clubsh: the results for `.output \(file.path)` were not kept: \(error.message)\n")
                ok = false
            }
        }
        flush()
        return ok
    }

    static func write(_ s: String) {
        // A large result (a whole table as CSV) goes out from its own bytes, not through a copy.
        if s.utf8.count >= 1 << 16 {
            flush()
            var s = s
            // SAFETY: the bytes are written before the closure returns.
            s.withUTF8 { writeAll(1, UnsafeRawBufferPointer($0)) }
            return
        }
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Results: to the `.output` file when one is set, else stdout.
    static func writeResult(_ s: String) {
        guard let file = outputFile else { return write(s) }
        do { try file.write(s) } catch {
            // The file cannot take more (a full disk, a reader that left): say so once, keep what
            // was written, and show results on the screen again.
            outputFile = nil
            file.discard()
            writeError("clubsh: \(error.message); results go to the screen again\n")
            write(s)
        }
    }

    static func flush() {
        // SAFETY: the bytes are written before the closure returns.
        buffer.withUnsafeBytes { writeAll(1, $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes to stderr after flushing stdout, so the two interleave in order.
    static func writeError(_ s: String) {
        flush()
        // SAFETY: the bytes are written before the closure returns.
        Array(s.utf8).withUnsafeBytes { writeAll(2, $0) }
    }

    /// SAFETY: each write(2) reads raw[offset..<raw.count] of the caller's buffer, valid for
    /// this call; offset grows only by what write(2) reports it took.
    private static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < raw.count {
            let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif
