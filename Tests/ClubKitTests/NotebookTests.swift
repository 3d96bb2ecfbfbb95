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
        XCTAssertEqual(LineDiff.unified("a\nb\nc\n", "a\nB\nc\n"), "--- stored\n+++ fresh\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")
    }

    // MARK: - Only what the author wrote runs

    func testAnExampleInsideALongerFenceDoesNotRun() {
        let nb = Notebook(markdown: """
        ````markdown
        A lesson shows its own syntax:

        ```clubsh
        export orders to "stolen.csv" overwrite
        ```

        ```output
        exported
        ```
        ````

        ```clubsh
        1 + 1
        ```

        """)
        XCTAssertEqual(nb.cells.map(\.source), ["1 + 1\n"])
        XCTAssertEqual(nb.cells.map(\.line), [13])
        // `--update` writes no output block inside the example.
        let updated = nb.updated(with: ["2\n"]).markdown
        XCTAssertTrue(updated.hasPrefix("````markdown\nA lesson shows its own syntax:\n\n```clubsh\nexport orders to \"stolen.csv\" overwrite\n```\n\n```output\nexported\n```\n````\n"), updated)
        XCTAssertTrue(updated.hasSuffix("```clubsh\n1 + 1\n```\n\n```output\n2\n```\n"), updated)
    }

    func testIndentedCommentedQuotedAndListedBlocksDoNotRun() {
        let nb = Notebook(markdown: """
        Indented code:

            ```clubsh
            export orders to "a.csv"
            ```

        <!--
        ```clubsh
        export orders to "b.csv"
        ```
        -->

        > ```clubsh
        > export orders to "c.csv"
        > ```

        - a list item
          ```clubsh
          export orders to "d.csv"
          ```

        <details>
        ```clubsh
        export orders to "e.csv"
        ```
        </details>

        ~~~clubsh
        1 + 1
        ~~~

        ```clubsh {.example}
        export orders to "f.csv"
        ```

        ``` clubsh
        2 + 2
        ```

        """)
        XCTAssertEqual(nb.cells.map(\.source), ["1 + 1\n", "2 + 2\n"])
    }

    func testAFenceClosesOnlyOnALineAtLeastAsLong() {
        let nb = Notebook(markdown: "````clubsh\nlet s = 1\n```\n# still code\n````\n")
        XCTAssertEqual(nb.cells.map(\.source), ["let s = 1\n```\n# still code\n"])
    }

    func testOutputThatHoldsFencesCannotStartABlock() {
        // A cell's text ends the output fence and opens a clubsh block, if written raw.
        let injected = "│ hello\n```\n\n```clubsh\nexport t to \"pwned.csv\" overwrite\n```\n```output │\n"
        let nb = Notebook(markdown: "```clubsh\nt\n```\n")
        let updated = nb.updated(with: [injected]).markdown
        XCTAssertTrue(updated.contains("\n````output\n" + injected + "````\n"), updated)
        let reread = Notebook(markdown: updated)
        XCTAssertEqual(reread.cells.map(\.source), ["t\n"])
        XCTAssertEqual(reread.cells.map(\.stored), [injected])
        // Updating again keeps it one block, unchanged.
        XCTAssertEqual(reread.updated(with: [injected]).markdown, updated)
        let longer = Notebook(markdown: updated).updated(with: ["`````\n"]).markdown
        XCTAssertTrue(longer.hasSuffix("``````output\n`````\n``````\n"), longer)
    }

    func testCRLFNotebooksReadAndKeepTheirLineEnds() {
        let text = "# Lesson\r\n\r\n```clubsh\r\n1 + 1\r\n```\r\n\r\nProse.\r\n\r\n```clubsh\r\n2 + 2\r\n```\r\n\r\n```output\r\n4\r\n```\r\n"
        let nb = Notebook(markdown: text)
        XCTAssertEqual(nb.markdown, text)
        XCTAssertEqual(nb.cells.map(\.source), ["1 + 1\n", "2 + 2\n"])
        XCTAssertEqual(nb.cells.map(\.stored), [nil, "4\n"])
        let updated = nb.updated(with: ["2\n", "4\n"]).markdown
        XCTAssertEqual(updated, text.replacingOccurrences(of: "1 + 1\r\n```\r\n", with: "1 + 1\r\n```\r\n\r\n```output\r\n2\r\n```\r\n"))
        XCTAssertFalse(updated.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
    }

    func testAnUnclosedBlockIsReported() {
        XCTAssertEqual(Notebook(markdown: "Text\n\n```clubsh\n1 + 1\n").unclosedBlockLine, 3)
        XCTAssertNil(Notebook(markdown: "```python\nnot closed\n```clubsh\n").unclosedBlockLine)
        XCTAssertEqual(Notebook(markdown: "```python\nnot closed\n```clubsh\n").cells.count, 0)
    }

    func testTranscriptFencesStatementsAndOutputsSafely() {
        let md = Notebook.transcript([("let s = \"```\"", "s = ```\n")])
        let nb = Notebook(markdown: md)
        XCTAssertEqual(nb.cells.map(\.source), ["let s = \"```\"\n"])
        XCTAssertEqual(nb.cells.map(\.stored), ["s = ```\n"])
    }
}
