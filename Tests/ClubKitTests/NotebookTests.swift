import XCTest
@testable import ClubKit

final class NotebookTests: XCTestCase {
    static let text = """
    # Lesson

    Prose with `code` and a fence of another language:

    ```python
    print("not ours")
    ```

    ```clubsh
    (90 / 100) * 100
    ```

    ```output
    90
    ```

    Between.
    ```clubsh
    1 + 1
    ```
    no newline at the end
    """

    func testParsingKeepsEveryByte() {
        let nb = Notebook(markdown: Self.text)
        XCTAssertEqual(nb.markdown, Self.text)
        XCTAssertEqual(nb.cells.map(\.source), ["(90 / 100) * 100\n", "1 + 1\n"])
        XCTAssertEqual(nb.cells.map(\.stored), ["90\n", nil])
        XCTAssertEqual(nb.cells.map(\.line), [9, 18])
    }

    func testUpdateReplacesOrAddsOutputBlocksOnly() {
        let updated = Notebook(markdown: Self.text).updated(with: ["90\n", "2\n"]).markdown
        XCTAssertEqual(updated, Self.text.replacingOccurrences(of: "```clubsh\n1 + 1\n```\n", with: "```clubsh\n1 + 1\n```\n\n```output\n2\n```\n"))
        let changed = Notebook(markdown: Self.text).updated(with: ["91\n", "2\n"]).markdown
        XCTAssertTrue(changed.contains("```output\n91\n```\n\nBetween."))
        XCTAssertTrue(changed.hasPrefix("# Lesson\n\nProse with `code`"))
    }

    func testTranscriptReadsBackAsCells() {
        let md = Notebook.transcript([("let x = 1", "x = 1\n"), ("x + 1", "2\n")])
        let nb = Notebook(markdown: md)
        XCTAssertEqual(nb.cells.map(\.source), ["let x = 1\n", "x + 1\n"])
        XCTAssertEqual(nb.cells.map(\.stored), ["x = 1\n", "2\n"])
    }

    func testUnifiedDiff() {
        XCTAssertEqual(LineDiff.unified("a\nb\nc\n", "a\nB\nc\n"), "--- stored\n+++ fresh\n a\n-b\n+B\n c\n \n")
    }
}
