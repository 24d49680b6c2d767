-- import_jobs: a large ledger import (or its dry run) running in the
-- background. The import itself is still one transaction; this row says
-- how it went: running, done (report holds the answer, sealed as
-- imports.report is) or failed (error_code, error_message). At most one
-- job per kind runs at a time. A job still running when its process
-- starts again was interrupted: it is marked failed then.
CREATE TABLE import_jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,
    file_name     TEXT    NOT NULL,
    dry_run       BOOLEAN NOT NULL,
    upload_id     BIGINT  NOT NULL DEFAULT 0,
    actor_id      BIGINT,
    actor         TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    rows_total    INTEGER NOT NULL DEFAULT 0,
    started_at    BIGINT  NOT NULL,
    finished_at   BIGINT  NOT NULL DEFAULT 0,
    import_id     BIGINT  NOT NULL DEFAULT 0,
    report        TEXT    NOT NULL DEFAULT '',
    error_code    TEXT    NOT NULL DEFAULT '',
    error_message TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX import_jobs_one_running ON import_jobs (kind) WHERE state = 'running';
