#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Line input with editing and history through libedit, loaded at run time so that clubsh builds
/// with nothing but the Swift toolchain. Where libedit is missing it falls back to plain input.
final class LineEditor {
    private typealias ReadlineFunction = @convention(c) (UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?
    private typealias HistoryFunction = @convention(c) (UnsafePointer<CChar>?) -> Int32
    private typealias VoidFunction = @convention(c) () -> Void
    private typealias StifleFunction = @convention(c) (Int32) -> Void

    private var readlineFunction: ReadlineFunction?
    private var addHistory: HistoryFunction?
    private var writeHistory: HistoryFunction?
    let historyPath: String
    /// Whether libedit was found.
    let isEditing: Bool

    init(historyPath: String) {
        self.historyPath = historyPath
        var handle: UnsafeMutableRawPointer?
        for name in ["libedit.so.2", "libedit.so", "libedit.so.0", "/usr/lib/libedit.3.dylib", "/usr/lib/libedit.dylib"] {
            handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
            if handle != nil { break }
        }
        func symbol<T>(_ name: String, as: T.Type) -> T? {
            guard let handle, let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: T.self)
        }
        readlineFunction = symbol("readline", as: ReadlineFunction.self)
        addHistory = symbol("add_history", as: HistoryFunction.self)
        writeHistory = symbol("write_history", as: HistoryFunction.self)
        isEditing = readlineFunction != nil
        symbol("using_history", as: VoidFunction.self)?()
        symbol("stifle_history", as: StifleFunction.self)?(2000)
        if FileManager.default.fileExists(atPath: historyPath) {
            _ = symbol("read_history", as: HistoryFunction.self)?(historyPath)
        }
    }

    /// One line without its newline, or nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        Terminal.flush()
        if let readlineFunction {
            guard let p = readlineFunction(prompt) else { return nil }
            defer { free(p) }
            return String(cString: p)
        }
        Terminal.write(prompt)
        Terminal.flush()
        return Swift.readLine(strippingNewline: true)
    }

    /// Adds a whole statement to the history and saves it.
    func remember(_ entry: String) {
        guard !entry.isEmpty, let addHistory else { return }
        _ = addHistory(entry)
        _ = writeHistory?(historyPath)
    }
}
