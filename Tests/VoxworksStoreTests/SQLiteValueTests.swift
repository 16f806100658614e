import Foundation
import GRDB
import GRDBSQLite
import Testing
@testable import VoxworksStore

/// The engine's hot statements bind and read through SQLite's C API
/// (`Statement.run`, `Statement.firstRow`): every kind of value survives
/// the round trip, errors surface as `DatabaseError`s with SQLite's
/// message, and a statement is reset after use, so a cached one can run
/// again and leaves no read open.
@Suite struct SQLiteValueTests {
    func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT NOT NULL, b BLOB, o TEXT, UNIQUE (s))")
        }
        return queue
    }

    @Test func everyKindOfValueRoundTrips() throws {
        let queue = try database()
        let text = "ünï \"code\" 💬"
        let bytes: [UInt8] = [0, 1, 254, 255, 0]
        let read = try queue.write { db in
            try db.cachedStatement(sql: "INSERT INTO t (n, s, b, o) VALUES (?, ?, ?, ?)")
                .run([.int(Int64.min), .text(text), .blob(bytes), .null])
            return try db.cachedStatement(sql: "SELECT n, s, b, o, length(s) FROM t WHERE s = ?").firstRow([.text(text)]) { row in
                (row.int(0), row.text(1), row.blob(2), row.text(3), row.optionalInt(3), row.isNull(3), row.int(4))
            }
        }
        let row = try #require(read)
        #expect(row.0 == Int64.min)
        #expect(row.1 == text)
        #expect(row.2 == bytes)
        #expect(row.3 == nil && row.4 == nil && row.5)
        #expect(row.6 == Int64(text.count), "characters, as SQLite counts them: the text was bound as UTF-8")
        // Optional initializers bind nil as NULL.
        let nulls = try queue.write { db in
            try db.cachedStatement(sql: "SELECT ? IS NULL, ? IS NULL, ? IS NULL").firstRow([
                SQLiteValue(nil as String?), SQLiteValue(nil as Int64?), SQLiteValue(nil as Int?),
            ]) { ($0.int(0), $0.int(1), $0.int(2)) }
        }
        #expect(nulls.map { [$0.0, $0.1, $0.2] } == [1, 1, 1])
    }

    @Test func aFailingStatementThrowsSQLitesErrorAndCanRunAgain() throws {
        let queue = try database()
        try queue.write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO t (s) VALUES (?)")
            try insert.run([.text("a")])
            do {
                try insert.run([.text("a")])
                Issue.record("a duplicate was inserted")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .SQLITE_CONSTRAINT)
                #expect(error.message?.contains("UNIQUE") == true)
            }
            // The same cached statement, reset after its failure, runs again.
            try insert.run([.text("b")])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 2)
            // NULL into a NOT NULL column fails too, through `firstRow`.
            #expect(throws: DatabaseError.self) {
                try db.cachedStatement(sql: "INSERT INTO t (s) VALUES (?) RETURNING id").firstRow([.null]) { $0.int(0) }
            }
        }
    }

    @Test func firstRowReadsOneRowAndLeavesTheStatementReset() throws {
        let queue = try database()
        try queue.write { db in
            for letter in ["a", "b", "c"] { try db.cachedStatement(sql: "INSERT INTO t (s) VALUES (?)").run([.text(letter)]) }
            let select = try db.cachedStatement(sql: "SELECT s FROM t ORDER BY s")
            #expect(try select.firstRow([]) { $0.text(0) } == "a")
            #expect(sqlite3_stmt_busy(select.sqliteStatement) == 0, "no read left open")
            #expect(try db.cachedStatement(sql: "SELECT s FROM t WHERE s = ?").firstRow([.text("z")]) { $0.text(0) } == nil)
            // `RETURNING` of several rows: every row is written, the first is answered.
            let returned = try db.cachedStatement(sql: "UPDATE t SET n = 7 RETURNING s").firstRow([]) { $0.text(0) }
            #expect(returned != nil)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t WHERE n = 7") == 3)
        }
    }
}
