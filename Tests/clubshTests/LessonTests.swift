import Foundation
import XCTest

/// Every lesson in Samples/lessons checks, and so does every Persian one in Samples/lessons/fa:
/// its stored outputs are what clubsh prints today. A change that alters an output must update the
/// lesson on purpose (`clubsh run --update`).
final class LessonTests: XCTestCase {
    private func lessons(in folder: String) throws -> [String] {
        let dir = ClubshRun.repositoryRoot.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".md") }.sorted()
    }

    private func checkEvery(_ lessons: [String], in folder: String) throws {
        for lesson in lessons {
            // In a fresh folder with a copy of Samples: the lesson reads Samples/data as it would.
            let r = try ClubshRun.run(["check", "\(folder)/\(lesson)"])
            XCTAssertEqual(r.status, 0, "\(folder)/\(lesson) no longer matches:\n\(r.stdout)\(r.stderr)")
        }
    }

    func testEveryLessonChecks() throws {
        let english = try lessons(in: "Samples/lessons")
        XCTAssertGreaterThanOrEqual(english.count, 11)
        try checkEvery(english, in: "Samples/lessons")
    }

    /// The Persian lessons, one for each English lesson, run on Samples/data/fa under
    /// `.calendar jalali`, `.lang fa` and `.digits persian`.
    func testEveryPersianLessonChecks() throws {
        let english = try lessons(in: "Samples/lessons")
        let persian = try lessons(in: "Samples/lessons/fa")
        XCTAssertGreaterThanOrEqual(persian.count, english.count, "Samples/lessons/fa should have a lesson for each English one")
        try checkEvery(persian, in: "Samples/lessons/fa")
    }
}
