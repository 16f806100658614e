import GRDB

/// The SQLite schema, one registered migration per version. Migrations
/// only ever get appended: a released one is never edited.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_ingestion") { db in
            try db.execute(sql: """
                CREATE TABLE teams (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    -- Kept by triggers so the backlog check on the webhook path
                    -- is one row read, not a count over the queue.
                    pending_count INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    team_id TEXT NOT NULL REFERENCES teams(id),
                    key_hash TEXT NOT NULL UNIQUE,
                    label TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE TABLE automations (
                    id TEXT PRIMARY KEY NOT NULL,
                    team_id TEXT NOT NULL REFERENCES teams(id),
                    name TEXT NOT NULL,
                    enabled INTEGER NOT NULL,
                    definition TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    -- Soft delete: executions keep pointing at their automation.
                    deleted_at INTEGER
                );
                CREATE INDEX automations_by_team ON automations(team_id, id);
                CREATE TABLE webhooks (
                    id TEXT PRIMARY KEY NOT NULL,
                    automation_id TEXT NOT NULL UNIQUE REFERENCES automations(id),
                    team_id TEXT NOT NULL REFERENCES teams(id),
                    token TEXT NOT NULL,
                    -- Lookups go by the token's SHA-256 so their timing cannot
                    -- depend on how much of a guessed token matched.
                    token_hash TEXT NOT NULL UNIQUE,
                    rate_per_second REAL NOT NULL,
                    rate_burst INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE webhook_secrets (
                    id TEXT PRIMARY KEY NOT NULL,
                    webhook_id TEXT NOT NULL REFERENCES webhooks(id),
                    sealed_key BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER
                );
                CREATE INDEX webhook_secrets_by_webhook ON webhook_secrets(webhook_id);
                CREATE TABLE executions (
                    id TEXT PRIMARY KEY NOT NULL,
                    team_id TEXT NOT NULL,
                    automation_id TEXT NOT NULL,
                    webhook_id TEXT,
                    status TEXT NOT NULL,
                    body BLOB NOT NULL,
                    content_type TEXT,
                    idempotency_key TEXT,
                    source_address TEXT,
                    received_at INTEGER NOT NULL,
                    attempt INTEGER NOT NULL DEFAULT 0,
                    started_at INTEGER,
                    finished_at INTEGER,
                    error TEXT,
                    replay_of TEXT,
                    steps_total INTEGER NOT NULL DEFAULT 0,
                    steps_completed INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX executions_by_team ON executions(team_id, id);
                CREATE INDEX executions_by_team_automation ON executions(team_id, automation_id, id);
                CREATE INDEX executions_by_team_status ON executions(team_id, status, id);
                CREATE TABLE idempotency_records (
                    webhook_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint BLOB NOT NULL,
                    execution_id TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (webhook_id, key)
                ) WITHOUT ROWID;
                CREATE INDEX idempotency_records_by_expiry ON idempotency_records(expires_at);
                CREATE TRIGGER executions_pending_insert AFTER INSERT ON executions
                WHEN NEW.status = 'pending' BEGIN
                    UPDATE teams SET pending_count = pending_count + 1 WHERE id = NEW.team_id;
                END;
                CREATE TRIGGER executions_pending_update AFTER UPDATE OF status ON executions
                WHEN (OLD.status = 'pending') <> (NEW.status = 'pending') BEGIN
                    UPDATE teams SET pending_count = pending_count
                        + (CASE WHEN NEW.status = 'pending' THEN 1 ELSE -1 END) WHERE id = NEW.team_id;
                END;
                CREATE TRIGGER executions_pending_delete AFTER DELETE ON executions
                WHEN OLD.status = 'pending' BEGIN
                    UPDATE teams SET pending_count = pending_count - 1 WHERE id = OLD.team_id;
                END;
                """)
        }
        return migrator
    }
}
