import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be written: a message for the user, naming the path.
public struct OutputFileError: Error, Equatable, Sendable {
    public var message: String
    /// The target is an existing regular file and the writer was not told to replace it.
    public var exists = false
    /// Ctrl-C while waiting for a FIFO's reader.
    public var interrupted = false

    init(_ message: String) { self.message = message }

    static func exists(_ path: String) -> OutputFileError {
        var e = OutputFileError("\(path) already exists")
        e.exists = true
        return e
    }

    static let interrupted: OutputFileError = {
        var e = OutputFileError("interrupted")
        e.interrupted = true
        return e
    }()

    /// `message: strerror(errno)`.
    static func system(_ message: String) -> OutputFileError {
        OutputFileError(message + ": " + String(cString: strerror(errno)).lowercasedFirst)
    }
}

extension Diagnostic {
    /// A writer's failure as a diagnostic; `hint` says how to replace an existing file.
    public init(writing error: OutputFileError, at location: SourceLocation, hint: String) {
        if error.interrupted {
            self = .interrupted
        } else {
            self.init(error.message, at: location, hint: error.exists ? hint : nil)
        }
    }
}
