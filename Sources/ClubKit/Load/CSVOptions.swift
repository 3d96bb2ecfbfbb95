/// How to read a delimited file: the `with` options of `load`.
struct CSVOptions: Sendable {
    /// The field separator.
    enum Delimiter: Equatable, Sendable {
        case byte(UInt8)
        /// Runs of spaces and tabs; leading spaces ignored.
        case whitespace
    }

    /// nil: sniffed from the first lines among `,` `;` tab `|`.
    var delimiter: Delimiter?
    /// nil: detected by comparing the first row with the rest.
    var header: Bool?
    /// Column names to use instead of the header (or of `column1`, `column2`, …).
    var names: [String]?
    /// A Unicode date pattern such as `yyyyMMdd`; a column whose every value parses with it is a date.
    var dateFormat: String?
    /// The calendar dates are written in (`with calendar jalali|gregorian`).
    var calendar = LoadCalendar.automatic
    /// Declared column types; a value that does not fit is an error (or a skipped row when lenient).
    var types: [String: DataType] = [:]
    /// Skip rows that do not parse, and report them, instead of failing.
    var lenient = false
    /// How many chunks to read in parallel; nil: one per core for files of 8 MiB or more.
    var chunks: Int?
    /// How many of a JSON file's first records are looked at for the keys written as they are
    /// scanned (tests); nil: up to 4,000.
    var sampleRecords: Int?
    /// Called every 65,536 records of the first chunk with the share of the load done (0…1) and
    /// the rows read so far (estimated from the first chunk). From a worker thread.
    var progress: (@Sendable (Double, Int) -> Void)?
    /// Polled every 65,536 records; true stops the load.
    var isCancelled: @Sendable () -> Bool = { false }

    init() {}
}

/// The calendar `load` reads dates in.
enum LoadCalendar: String, Equatable, Sendable {
    /// Gregorian, except that a column whose dates' years are all 1300–1499 is Jalali.
    case automatic
    /// Every date is Jalali (`with calendar jalali`).
    case jalali
    /// Every date is Gregorian (`with calendar gregorian`): no column is taken for Jalali.
    case gregorian

    /// The years a Jalali date may have: those that mark a column as Jalali when the calendar is
    /// detected, every year clubsh converts when it is asked for; nil when no date is Jalali.
    var jalaliYears: ClosedRange<Int>? {
        switch self {
        case .automatic: return 1300...1499
        case .jalali: return JalaliDate.years
        case .gregorian: return nil
        }
    }

    /// Whether a date may be Gregorian.
    var readsGregorian: Bool { self != .jalali }
}

/// A failure while reading a file, with the place in the file. Code that acts on a failure
/// switches on `kind`; `message` is only for the user to read.
struct LoadError: Error, Equatable, Sendable {
    /// What kind of failure this is.
    enum Kind: Equatable, Sendable {
        /// Ctrl-C stopped the load.
        case interrupted
        /// Nothing is at the path.
        case noSuchFile
        /// The path names something that cannot be read as a text file: a folder, a device, a
        /// binary or UTF-16 file, a file that changed while it was read, or a read that failed.
        case unreadable
        /// The text does not parse: a bad quote or row, invalid UTF-8, a value that does not fit
        /// its declared type, too many columns.
        case malformed
        /// The load's options do not fit the file (`names`, `types`) or are not valid
        /// (`date_format`).
        case badOption
    }

    var kind: Kind
    var path: String
    /// 1-based; 0 when the problem is the file as a whole.
    var line: Int
    var column: Int
    /// The cell of a workbook (`Sheet1!C42`), in place of line and column.
    var cell: String?
    var message: String

    init(_ kind: Kind, path: String, line: Int = 0, column: Int = 0, cell: String? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.column = column
        self.cell = cell
        self.message = message
    }

    /// The load was stopped by Ctrl-C.
    static func interrupted(_ path: String) -> LoadError { LoadError(.interrupted, path: path, message: "interrupted") }

    var description: String {
        if let cell { return "\(path):\(cell): \(message)" }
        return line > 0 ? "\(path):\(line):\(column): \(message)" : "\(path): \(message)"
    }
}

/// What `CSVReader.read` returns: the table and what lenient mode skipped.
struct LoadResult: Sendable {
    var table: Table
    var skippedRows: Int
    /// The first few skipped lines, with why.
    var skipped: [LoadError]
    var bytesRead: Int
    /// The sheet read, for a workbook.
    var sheet: String?
    /// Things the user should know about how values were read, one line each (for example
    /// "column id: integers beyond 64 bits kept as text").
    var notes: [String] = []
    /// How many times the records were parsed (1 unless a misfit narrowed a type); at most a
    /// few, whatever the file.
    var attempts = 1
}

extension CSVOptions {
    /// The compiled `date_format`, nil without one; a pattern that is not one is a load error.
    func datePattern(path: String) throws(LoadError) -> DatePattern? {
        guard let f = dateFormat else { return nil }
        guard let compiled = DatePattern(f) else {
            throw LoadError(.badOption, path: path, message: "date_format \"\(f)\" is not a pattern of y, M, d (and H, m, s); for example \"yyyyMMdd\" or \"dd/MM/yyyy\"")
        }
        return compiled
    }
}
