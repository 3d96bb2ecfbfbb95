import Foundation
import XCTest
@testable import ClubKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loading from each kind of file, and from files that change while they load.
final class InputFileTests: XCTestCase {
    private var folder: URL!
    private let fm = FileManager.default

    override func setUpWithError() throws {
        folder = fm.temporaryDirectory.appendingPathComponent("clubsh-inputfile-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? fm.removeItem(at: folder)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `rows` records of `id,customer,amount,channel`.
    private func orders(_ rows: Int) -> String {
        let channels = ["web", "app", "store"]
        let lines = (0..<rows).map { (i: Int) -> String in
            let fields: [String] = [String(i), String(i % 997), String(i % 1000) + ".5", channels[i % 3]]
            return fields.joined(separator: ",")
        }
        return "id,customer,amount,channel\n" + lines.joined(separator: "\n") + "\n"
    }

    private func loadError(_ path: String, _ options: CSVOptions = CSVOptions()) -> String? {
        do {
            _ = try CSVReader.read(path: path, options: options)
            return nil
        } catch let e as LoadError {
            return e.description
        } catch {
            return "\(error)"
        }
    }

    func testAFIFOWithAWriterLoadsAsAStream() throws {
        let fifo = path("orders.fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let text = orders(50_000)
        let writer = Thread { _ = try? text.write(toFile: fifo, atomically: false, encoding: .utf8) }
        writer.start()
        let table = try CSVReader.read(path: fifo).table
        XCTAssertEqual(table.rowCount, 50_000)
        XCTAssertEqual(table.columnNames, ["id", "customer", "amount", "channel"])
    }

    func testAFIFOWithoutAWriterWaitsUntilCancelled() throws {
        let fifo = path("empty.fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        var options = CSVOptions()
        let started = Date()
        let deadline = started.addingTimeInterval(0.5)
        options.isCancelled = { Date() > deadline }
        XCTAssertEqual(loadError(fifo, options), "\(fifo): interrupted")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.5, "it waited for a writer")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "and stopped soon after Ctrl-C")
    }

    func testAPipeLoadsThroughDevFd() throws {
        let pipe = Pipe()
        let text = orders(1000)
        let writer = Thread {
            pipe.fileHandleForWriting.write(Data(text.utf8))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let table = try CSVReader.read(path: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)").table
        XCTAssertEqual(table.rowCount, 1000)
    }

    func testProcFilesLoadAsStreams() throws {
        // /proc files report a size of 0; read as a stream they have their real lines.
        var options = CSVOptions()
        options.delimiter = .byte(58)
        options.header = false
        let table = try CSVReader.read(path: "/proc/self/status", options: options).table
        XCTAssertGreaterThan(table.rowCount, 5)
        XCTAssertEqual(table.columns.count, 2)
    }

    func testSysFilesThatCannotBeMappedLoadAsStreams() throws {
        // A /sys attribute reports 4096 bytes and refuses mmap.
        let mtu = "/sys/class/net/lo/mtu"
        try XCTSkipUnless(fm.fileExists(atPath: mtu), "no \(mtu) here")
        var options = CSVOptions()
        options.header = false
        let table = try CSVReader.read(path: mtu, options: options).table
        XCTAssertEqual(table.rowCount, 1)
        XCTAssertEqual(table.columns.first?.type, .int)
    }

    func testFoldersMissingAndBinaryFilesAreClearErrors() throws {
        try Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]).write(to: URL(fileURLWithPath: path("book.xlsx")))
        XCTAssertEqual(loadError(folder.path), "\(folder.path): is a directory, not a file")
        XCTAssertEqual(loadError(path("missing.csv")), "\(path("missing.csv")): no such file")
        // "PK\u{3}\u{4}" then a NUL: the fifth character of the first line.
        XCTAssertEqual(loadError(path("book.xlsx")), "\(path("book.xlsx")):1:5: a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")
        XCTAssertEqual(loadError("/dev/zero"), "/dev/zero:1:1: a NUL byte: this is a binary file, not text; save it as UTF-8 CSV")
        func kind(_ path: String) -> LoadError.Kind? {
            do { _ = try CSVReader.read(path: path, options: CSVOptions()); return nil } catch { return (error as? LoadError)?.kind }
        }
        XCTAssertEqual(kind(folder.path), .unreadable)
        XCTAssertEqual(kind(path("missing.csv")), .noSuchFile)
        XCTAssertEqual(kind(path("book.xlsx")), .unreadable)
    }

    func testAFileTruncatedWhileLoadingIsAnErrorNotASignal() throws {
        let file = path("shrinking.csv")
        try orders(140_000).write(toFile: file, atomically: false, encoding: .utf8)
        var options = CSVOptions()
        options.chunks = 2
        // The first progress report comes part way through the first chunk: the file is cut to
        // a few bytes there, so what is left to read lies past its new end (SIGBUS unguarded).
        let cut = Once { _ = truncate(file, 100) }
        options.progress = { _, _ in cut.run() }
        let faults = MappingGuard.faults
        XCTAssertEqual(loadError(file, options), "\(file): changed while it was being loaded; load it again when it is complete")
        XCTAssertTrue(cut.ran)
        XCTAssertGreaterThan(MappingGuard.faults, faults, "reading past the new end faulted, and the guard took the fault")
    }

    func testAFileThatGrowsWhileLoadingIsAnError() throws {
        let file = path("growing.csv")
        try orders(200_000).write(toFile: file, atomically: false, encoding: .utf8)
        var options = CSVOptions()
        options.chunks = 2
        let append = Once {
            let handle = FileHandle(forWritingAtPath: file)!
            handle.seekToEndOfFile()
            handle.write(Data("999999,1,1.5,web\n".utf8))
            handle.closeFile()
        }
        options.progress = { _, _ in append.run() }
        XCTAssertEqual(loadError(file, options), "\(file): changed while it was being loaded; load it again when it is complete")
        // Read again when it is complete, it loads whole.
        XCTAssertEqual(try CSVReader.read(path: file).table.rowCount, 200_001)
    }
}

/// Runs a closure once, from whichever thread gets there first.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private let body: () -> Void
    private(set) var ran = false

    init(_ body: @escaping () -> Void) { self.body = body }

    func run() {
        lock.lock()
        defer { lock.unlock() }
        guard !ran else { return }
        ran = true
        body()
    }
}
