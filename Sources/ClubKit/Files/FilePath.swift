import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File names as statements give them, made into names to open, and back.
///
/// - `~` and `~/…` are the home folder (`HOME`), as a shell expands them; `~user` is left as
///   it is (clubsh does not look users up).
/// - A relative path is taken against a folder when one is given: a notebook's paths are its
///   own folder's, wherever `clubsh run` starts.
///
///     FilePath.resolve("~/orders.csv")                       // "/home/sara/orders.csv"
///     FilePath.resolve("../data/orders.csv", in: "lessons")  // "lessons/../data/orders.csv"
public enum FilePath {
    /// The path to open for `path` as a statement wrote it.
    public static func resolve(_ path: String, in folder: String? = nil, home: String? = FilePath.environmentHome) -> String {
        if path == "~" || path.hasPrefix("~/") {
            let home = home.flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            guard !home.isEmpty else { return path }
            return path == "~" ? home : (home.hasSuffix("/") ? String(home.dropLast()) : home) + path.dropFirst()
        }
        guard let folder, !folder.isEmpty, folder != ".", !path.hasPrefix("/") else { return path }
        return (folder.hasSuffix("/") ? folder : folder + "/") + path
    }

    /// `HOME` as the environment has it, nil when unset. Read with `getenv`: Foundation's
    /// `ProcessInfo.environment` copies every variable into a dictionary first, a cost every
    /// `load` paid through `resolve`'s default.
    public static var environmentHome: String? {
        getenv("HOME").map { String(cString: $0) }
    }

    /// The last part of `path`, as `basename` gives it: `Samples/data/orders.csv` → `orders.csv`,
    /// `out/` → `out`, `/` → `/`. (Foundation's `NSString.lastPathComponent` stops the program on
    /// a one-character path with Swift 6.3 on Linux, so clubsh splits paths itself.)
    public static func lastComponent(_ path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `path` without its last part, as `NSString.deletingLastPathComponent` gives it:
    /// `Samples/data/orders.csv` → `Samples/data`, `orders.csv` → `` (empty), `/x` → `/`.
    public static func folder(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let head = withoutTrailingSlashes(String(trimmed[..<slash]))
        return head.isEmpty ? "/" : head
    }

    /// `folder` and `name` joined by one `/` (just `name` when `folder` is empty).
    public static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var s = Substring(path)
        while s.count > 1 && s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }

    /// Whether `path` is relative as a statement wrote it: not absolute, not from the home folder.
    static func isRelative(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && path != "~" && !path.hasPrefix("~/")
    }

    /// The working directory, as the system names it.
    static var workingDirectory: String { FileManager.default.currentDirectoryPath }

    /// `path` made absolute (against the working directory) without `.`, `..` or repeated `/`,
    /// and with the symbolic links of its longest existing part resolved, so two names of one
    /// folder compare equal and `..` means the folder the system would go up to.
    static func physical(_ path: String) -> String {
        var rest: [String] = []
        var head = lexical(path.hasPrefix("/") ? path : workingDirectory + "/" + path)
        while head != "/" {
            if let real = realPath(head) { return lexical(([real] + rest.reversed()).joined(separator: "/")) }
            rest.append(lastComponent(head))
            head = folder(of: head)
        }
        return lexical("/" + rest.reversed().joined(separator: "/"))
    }

    /// `path` (absolute) with `.`, `..` and repeated `/` taken out by the text alone.
    static func lexical(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The relative path from the folder `base` to `target`, both absolute and lexical.
    static func relative(_ target: String, from base: String) -> String {
        let t = target.split(separator: "/"), b = base.split(separator: "/")
        var common = 0
        while common < t.count && common < b.count && t[common] == b[common] { common += 1 }
        let up = Array(repeating: "..", count: b.count - common)
        let parts = up + t[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
