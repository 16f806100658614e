import Foundation
import GRDB
import VoxworksCore

extension SQLiteStore {
    public func insertContact(teamID: UUID, fields: ContactFields, now: Timestamp) async throws -> Contact? {
        try await pool.write { db in
            if let phone = fields.phoneNumber,
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM contacts WHERE team_id = ? AND phone_number = ?", arguments: [teamID.lowercased, phone]) == true
            {
                return nil
            }
            return try Self.insertContact(db, teamID: teamID, fields: fields, now: now)
        }
    }

    public func contacts(teamID: UUID, query: ContactQuery) async throws -> [Contact] {
        var filter = SQLFilter("team_id = :team", ["team": teamID.lowercased, "limit": query.limit])
        filter.add("phone_number = :phone", "phone", query.phoneNumber)
        filter.add("lower(email) = lower(:email)", "email", query.email)
        filter.add("id < :cursor", "cursor", query.before?.lowercased)
        let sql = "SELECT \(Self.contactColumns) FROM contacts WHERE \(filter.clause) ORDER BY id DESC LIMIT :limit"
        let arguments = filter.statementArguments
        return try await pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.contact(from:)) }
    }

    public func calls(teamID: UUID, query: CallQuery) async throws -> [Call] {
        var filter = SQLFilter("team_id = :team", ["team": teamID.lowercased, "limit": query.limit])
        // One status for clients: the outcome once finished, else the progress (Call.reportedStatus).
        filter.add("COALESCE(status, progress) = :status", "status", query.status)
        filter.add("type = :type", "type", query.type)
        filter.add("progress = :progress", "progress", query.progress)
        filter.add("script_id = :script", "script", query.scriptID)
        filter.add("contact_id = :contact", "contact", query.contactID?.lowercased)
        filter.add("created_at >= :after", "after", query.createdAfter?.millis)
        filter.add("created_at < :before", "before", query.createdBefore?.millis)
        filter.add("id < :cursor", "cursor", query.before?.lowercased)
        let sql = "SELECT * FROM calls WHERE \(filter.clause) ORDER BY id DESC LIMIT :limit"
        let arguments = filter.statementArguments
        return try await pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.call(from:)) }
    }

    public func call(id: UUID, teamID: UUID) async throws -> Call? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM calls WHERE id = ? AND team_id = ?", arguments: [id.lowercased, teamID.lowercased])
                .map(Self.call(from:))
        }
    }

    public func cancelCall(id: UUID, teamID: UUID, now: Timestamp) async throws -> Call? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE calls SET progress = 'cancelled' WHERE id = ? AND team_id = ? AND progress = 'scheduled'",
                arguments: [id.lowercased, teamID.lowercased])
            if db.changesCount > 0 {
                // The execution waiting for this call resumes and learns it was cancelled.
                try db.execute(
                    sql: """
                        UPDATE executions SET run_at = ? WHERE status = 'processing' AND wait_reason = 'call'
                          AND id = (SELECT execution_id FROM calls WHERE id = ?)
                        """,
                    arguments: [now.millis, id.lowercased])
            }
            return try Row.fetchOne(
                db, sql: "SELECT * FROM calls WHERE id = ? AND team_id = ?", arguments: [id.lowercased, teamID.lowercased]
            )
            .map(Self.call(from:))
        }
    }

    public func rescheduleCall(id: UUID, teamID: UUID, to time: Timestamp) async throws -> Call? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE calls SET scheduled_time = ? WHERE id = ? AND team_id = ? AND progress = 'scheduled'",
                arguments: [time.millis, id.lowercased, teamID.lowercased])
            return try Row.fetchOne(
                db, sql: "SELECT * FROM calls WHERE id = ? AND team_id = ?", arguments: [id.lowercased, teamID.lowercased]
            )
            .map(Self.call(from:))
        }
    }

    public func createList(teamID: UUID, name: String, now: Timestamp) async throws -> ContactList {
        let list = ContactList(id: .v7(now: now), teamID: teamID, name: name, contactCount: 0, createdAt: now)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO lists (id, team_id, name, created_at) VALUES (?, ?, ?, ?)",
                arguments: [list.id.lowercased, teamID.lowercased, name, now.millis])
        }
        return list
    }

    public func list(id: UUID, teamID: UUID) async throws -> ContactList? {
        try await pool.read { db -> ContactList? in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT l.*, (SELECT COUNT(*) FROM list_members m WHERE m.list_id = l.id) AS members FROM lists l WHERE id = ? AND team_id = ?",
                    arguments: [id.lowercased, teamID.lowercased])
            else { return nil }
            return ContactList(
                id: id, teamID: teamID, name: row["name"], contactCount: row["members"], createdAt: Timestamp(millis: row["created_at"]))
        }
    }

    public func addToList(listID: UUID, contactIDs: [UUID], now: Timestamp) async throws -> (added: Int, alreadyPresent: Int) {
        try await pool.write { db in
            var added = 0
            for contact in Set(contactIDs) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO list_members (list_id, contact_id, added_at) VALUES (?, ?, ?)",
                    arguments: [listID.lowercased, contact.lowercased, now.millis])
                added += db.changesCount
            }
            return (added, contactIDs.count - added)
        }
    }
}
