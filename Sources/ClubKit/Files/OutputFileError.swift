import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be written: a message for the user, naming the path, and a kind that
/// code acting on the failure switches on.
public struct OutputFileError: Error, Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// The target is an existing regular file and the writer was not told to replace it.
        case exists
        /// Ctrl-C while waiting for a FIFO's reader.
        case interrupted
        /// Anything else: the message says what.
        case failed
    }

    var kind: Kind
    public var message: String

    init(_ message: String, kind: Kind = .failed) {
        self.message = message
        self.kind = kind
    }

    static func exists(_ path: String) -> OutputFileError { OutputFileError("\(path) already exists", kind: .exists) }

    static let interrupted = OutputFileError("interrupted", kind: .interrupted)

    /// `message: strerror(errno)`.
    static func system(_ message: String) -> OutputFileError {
        OutputFileError(message + ": " + String(cString: strerror(errno)).lowercasedFirst)
    }
}

extension Diagnostic {
    /// A writer's failure as a diagnostic; `hint` says how to replace an existing file.
    public init(writing error: OutputFileError, at location: SourceLocation, hint: String) {
        switch error.kind {
        case .interrupted: self = .interrupted
        case .exists: self.init(error.message, at: location, hint: hint)
        case .failed: self.init(error.message, at: location)
        }
    }
}
