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
    private typealias KeyFunction = @convention(c) (UnsafeMutablePointer<FILE>?) -> Int32

    private var readlineFunction: ReadlineFunction?
    private var addHistory: HistoryFunction?
    private var writeHistory: HistoryFunction?
    let historyPath: String
    private var handle: UnsafeMutableRawPointer?
    /// Whether libedit was found.
    let isEditing: Bool

    init(historyPath: String) {
        self.historyPath = historyPath
        // libedit decodes and shows keys in the C library's character set: UTF-8, or Persian
        // typed at the prompt would be lost. Only LC_CTYPE changes; numbers keep the C format.
        if setlocale(LC_CTYPE, "") == nil || String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" {
            _ = setlocale(LC_CTYPE, "C.UTF-8") ?? setlocale(LC_CTYPE, "en_US.UTF-8")
        }
        for name in ["libedit.so.2", "libedit.so", "libedit.so.0", "/usr/lib/libedit.3.dylib", "/usr/lib/libedit.dylib"] {
            handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
            if handle != nil { break }
        }
        let handle = self.handle
        // SAFETY: each name is a libedit function whose C signature is the @convention(c)
        // type it is cast to (readline(3), add_history(3) and the rest); the library stays
        // loaded for the life of the process (it is never dlclose'd).
        func symbol<T>(_ name: String, as: T.Type) -> T? {
            guard let handle, let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: T.self)
        }
        // Keys come through `LineEditor.key`, which also watches for Ctrl-C (see there). libedit
        // reads the hook when it first sets up, so it is set before anything else.
        if let handle, let hook = dlsym(handle, "rl_getc_function") {
            hook.assumingMemoryBound(to: KeyFunction?.self).pointee = LineEditor.key
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

    /// Offers Tab completions: given the text before the cursor, the words that fit.
    func complete(with source: @escaping (String) -> [String]) {
        guard let handle, let entry = dlsym(handle, "rl_completion_entry_function") else { return }
        Completion.source = source
        // SAFETY: these are libedit's readline-compatible globals, of the C types they are bound
        // to (`char *rl_line_buffer`, `int rl_point`, `int rl_completion_append_character`,
        // `rl_compentry_func_t *rl_completion_entry_function`), and live as long as the library.
        Completion.lineBuffer = dlsym(handle, "rl_line_buffer")?.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
        Completion.point = dlsym(handle, "rl_point")?.assumingMemoryBound(to: Int32.self)
        Completion.appendCharacter = dlsym(handle, "rl_completion_append_character")?.assumingMemoryBound(to: Int32.self)
        entry.assumingMemoryBound(to: Completion.Function?.self).pointee = Completion.entry
    }

    /// The next key typed, as a Unicode scalar (UTF-8 decoded), or -1 to end the line. It waits
    /// with `poll` and looks at the Ctrl-C flag between waits, so a Ctrl-C is never lost: not
    /// even one that comes while libedit is still setting up the line, before its own handler
    /// is in place (the key is then read by no one, and libedit would wait for the next).
    private static let key: KeyFunction = { _ in
        func byte() -> Int32 {
            while true {
                if Terminal.interrupted != 0 { return -1 }
                var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
                let ready = poll(&p, 1, 50)
                if ready < 0 && errno != EINTR { return -1 }
                guard ready > 0 else { continue }
                var b: UInt8 = 0
                let n = read(0, &b, 1)
                if n == 1 { return Int32(b) }
                if n == 0 || errno != EINTR { return -1 }
            }
        }
        let first = byte()
        guard first >= 0x80 else { return first }
        // A UTF-8 sequence: its length from the first byte, then 6 bits from each byte after.
        let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
        guard length > 1 else { return 0xFFFD }
        var scalar = first & (0x7F >> length)
        for _ in 1..<length {
            let next = byte()
            guard next >= 0 else { return -1 }
            guard next & 0xC0 == 0x80 else { return 0xFFFD }
            scalar = scalar << 6 | (next & 0x3F)
        }
        return Unicode.Scalar(UInt32(scalar)) == nil ? 0xFFFD : scalar
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

/// The state libedit's C completion callback reads; there is one prompt per process.
///
/// `nonisolated(unsafe)`: a C callback cannot capture context, so it reads statics. They are
/// set and read only on the main thread: by `complete(with:)` before the prompt starts, and by
/// `entry`, which libedit calls inside `readline` on the thread that called it.
enum Completion {
    typealias Function = @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>?

    nonisolated(unsafe) static var source: ((String) -> [String])?
    nonisolated(unsafe) static var matches: [String] = []
    nonisolated(unsafe) static var lineBuffer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    nonisolated(unsafe) static var point: UnsafeMutablePointer<Int32>?
    nonisolated(unsafe) static var appendCharacter: UnsafeMutablePointer<Int32>?

    /// readline's generator protocol: state 0 starts a new completion, then one match per call.
    static let entry: Function = { _, state in
        if state == 0 {
            // SAFETY: rl_line_buffer is libedit's NUL-terminated line, read up to strlen of it
            // and copied at once, while libedit is inside this callback.
            let bytes = Completion.lineBuffer?.pointee.map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) } ?? []
            let cursor = min(Int(Completion.point?.pointee ?? Int32(bytes.count)), bytes.count)
            Completion.matches = Completion.source?(String(decoding: bytes.prefix(cursor), as: UTF8.self)) ?? []
            // A folder completes without a trailing space, so its files can follow.
            Completion.appendCharacter?.pointee = Completion.matches.count == 1 && Completion.matches[0].hasSuffix("/") ? 0 : 32
        }
        let i = Int(state)
        guard i < Completion.matches.count else { return nil }
        return strdup(Completion.matches[i])
    }
}
