/// A table: named columns of equal length. Value semantics; columns share storage until written.
public struct Table: Sendable {
    var columnNames: [String]
    var columns: [Column]
    public private(set) var rowCount: Int

    public init(columnNames: [String], columns: [Column]) {
        precondition(columnNames.count == columns.count)
        self.columnNames = columnNames
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
    }

    /// A table with columns but no rows of a given schema, or an explicit row count for a
    /// zero-column table.
    init(columnNames: [String], columns: [Column], rowCount: Int) {
        self.columnNames = columnNames
        self.columns = columns
        self.rowCount = rowCount
    }

    var schema: Schema { Schema(zip(columnNames, columns.map(\.type)).map { Schema.Field(name: $0.0, type: $0.1) }) }

    func index(of name: String) -> Int? { columnNames.firstIndex(of: name) }

    func column(_ name: String) -> Column? { index(of: name).map { columns[$0] } }

    /// The rows at `indices`, in that order, for every column.
    func gather(_ indices: [Int32]) -> Table {
        Table(columnNames: columnNames, columns: columns.map { $0.gather(indices) }, rowCount: indices.count)
    }

    func prefix(_ n: Int) -> Table {
        n >= rowCount ? self : gather((0..<Int32(n)).map { $0 })
    }

    var bytes: Int { columns.reduce(0) { $0 + $1.bytes } }
}

/// Column names and types without data: what the checker reasons about.
struct Schema: Equatable, Sendable {
    struct Field: Equatable, Sendable {
        var name: String
        var type: DataType
        init(name: String, type: DataType) {
            self.name = name
            self.type = type
        }
    }

    var fields: [Field]
    init(_ fields: [Field]) { self.fields = fields }

    var names: [String] { fields.map(\.name) }

    /// The index of `name`: exact, else the single case-insensitive match.
    func index(of name: String) -> Int? {
        if let i = fields.firstIndex(where: { $0.name == name }) { return i }
        let lower = name.lowercased()
        let matches = fields.indices.filter { fields[$0].name.lowercased() == lower }
        return matches.count == 1 ? matches[0] : nil
    }
}
