import Foundation
import GRDB
import GRDBSQLite

/// A parameter of a statement on the engine's hot path, bound through
/// SQLite's C API (`Statement.run`, `Statement.firstRow`).
///
/// Why not GRDB's `execute(arguments:)`: on the drain's single writer
/// thread, GRDB's per-statement machinery (arguments as arrays of
/// existentials converted to `DatabaseValue`, rows copied into objects,
/// the observation hooks around each step) was about half of the writer's
/// CPU, more than SQLite itself. These statements are made and cached by
/// GRDB (`cachedStatement`) and run inside GRDB's transaction; only the
/// binding, the stepping and the reading of columns skip it. Statements
/// that change the transaction (`SAVEPOINT`, `COMMIT`) stay with GRDB,
/// which tracks them.
enum SQLiteValue: Sendable {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    case null

    init(_ value: Int64?) { self = value.map(SQLiteValue.int) ?? .null }
    init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    init(_ value: String?) { self = value.map(SQLiteValue.text) ?? .null }
}

/// SQLite copies the value before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Statement {
    /// Binds `values` to parameters 1…n and steps to the end (rows are skipped).
    func run(_ values: [SQLiteValue]) throws {
        let handle = sqliteStatement
        defer { sqlite3_reset(handle) }
        try bind(values)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            if code != SQLITE_ROW { throw failure(code) }
        }
    }

    /// Binds `values`, steps once, and reads the first row (nil: none).
    func firstRow<T>(_ values: [SQLiteValue], _ read: (SQLiteColumns) throws -> T) throws -> T? {
        let handle = sqliteStatement
        defer { sqlite3_reset(handle) }
        try bind(values)
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw failure(code) }
        let value = try read(SQLiteColumns(handle: handle))
        // Step to the end: a data-modifying statement (`RETURNING`) finishes its writes only then.
        while true {
            let next = sqlite3_step(handle)
            if next == SQLITE_DONE { return value }
            if next != SQLITE_ROW { throw failure(next) }
        }
    }

    private func bind(_ values: [SQLiteValue]) throws {
        let handle = sqliteStatement
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32 =
                switch value {
                case .int(let number): sqlite3_bind_int64(handle, index, number)
                case .text(let text): sqlite3_bind_text(handle, index, text, -1, transient)
                case .blob(let bytes):
                    bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
                case .null: sqlite3_bind_null(handle, index)
                }
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = sqlite3_db_handle(sqliteStatement).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}

/// Columns read by position: a row GRDB fetched, or the current row of a
/// statement stepped by `firstRow`, so that each record has one decoder.
protocol ColumnReading {
    func text(_ index: Int32) -> String?
    func int(_ index: Int32) -> Int64
    func optionalInt(_ index: Int32) -> Int64?
    func blob(_ index: Int32) -> [UInt8]
}

extension Row: ColumnReading {
    func text(_ index: Int32) -> String? { self[Int(index)] }
    func int(_ index: Int32) -> Int64 { self[Int(index)] }
    func optionalInt(_ index: Int32) -> Int64? { self[Int(index)] }
    func blob(_ index: Int32) -> [UInt8] { (self[Int(index)] as Data?).map(Array.init) ?? [] }
}

/// The current row of a statement stepped by `firstRow`.
struct SQLiteColumns: ColumnReading {
    let handle: OpaquePointer

    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    func int(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    func optionalInt(_ index: Int32) -> Int64? { isNull(index) ? nil : int(index) }

    func text(_ index: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func blob(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let bytes = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
