"""The database schema as a list of forward migrations.

Migration N upgrades a database from schema version N-1 to N; `PRAGMA user_version`
holds the version. Every column type is declared here, never inferred from data:
codes, phones, postcodes and external references are TEXT so that 010010 stays
010010. Each entity table carries a `natural_key` (unique) used for idempotent
re-import, a `row_hash` of its imported values to tell unchanged rows from updated
ones, its source (file, sheet, row) and an `extra` JSON object with every roster
column kjd did not recognise.
"""

_NOW = "strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')"

_SOURCE_COLUMNS = f"""
    ref TEXT,
    source_file TEXT,
    source_sheet TEXT,
    source_row INTEGER,
    extra TEXT NOT NULL DEFAULT '{{}}',
    row_hash TEXT,
    created_at TEXT NOT NULL DEFAULT ({_NOW}),
    updated_at TEXT NOT NULL DEFAULT ({_NOW})
"""


# Version 1: rosters, imports and rejects.
V1 = f"""
CREATE TABLE institutes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    natural_key TEXT NOT NULL UNIQUE,
    short_names TEXT,
    kind TEXT,
    city TEXT,
    address TEXT,
    contact TEXT,
    phone TEXT,
    description TEXT,
    {_SOURCE_COLUMNS}
);

CREATE TABLE aliases (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('institute', 'enterprise')),
    alias TEXT NOT NULL,
    alias_key TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'user',
    created_at TEXT NOT NULL DEFAULT ({_NOW}),
    UNIQUE (kind, alias_key)
);

CREATE TABLE experts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    natural_key TEXT NOT NULL UNIQUE,
    institute_id INTEGER REFERENCES institutes(id),
    institute_name TEXT,
    department TEXT,
    title TEXT,
    is_academician INTEGER NOT NULL DEFAULT 0,
    research_fields TEXT,
    phone TEXT,
    email TEXT,
    {_SOURCE_COLUMNS}
);
CREATE INDEX experts_institute ON experts(institute_id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    natural_key TEXT NOT NULL UNIQUE,
    institute_id INTEGER REFERENCES institutes(id),
    institute_names TEXT,
    leader TEXT,
    field TEXT,
    summary TEXT,
    maturity TEXT,
    maturity_raw TEXT,
    cooperation_mode TEXT,
    cooperation_mode_raw TEXT,
    patents TEXT,
    keywords TEXT,
    contact TEXT,
    phone TEXT,
    {_SOURCE_COLUMNS}
);
CREATE INDEX projects_institute ON projects(institute_id);

CREATE TABLE project_institutes (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    institute_id INTEGER NOT NULL REFERENCES institutes(id),
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, institute_id)
);

CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    natural_key TEXT NOT NULL UNIQUE,
    credit_code TEXT,
    credit_code_valid INTEGER,
    city TEXT,
    county TEXT,
    industry TEXT,
    scale TEXT,
    contact TEXT,
    phone TEXT,
    address TEXT,
    {_SOURCE_COLUMNS}
);
CREATE INDEX enterprises_credit_code ON enterprises(credit_code);

CREATE TABLE demands (
    id INTEGER PRIMARY KEY,
    natural_key TEXT NOT NULL UNIQUE,
    enterprise_id INTEGER REFERENCES enterprises(id),
    enterprise_name TEXT,
    kind TEXT NOT NULL DEFAULT 'tech' CHECK (kind IN ('tech', 'talent')),
    demand_type TEXT,
    demand_type_raw TEXT,
    title TEXT,
    description TEXT,
    field TEXT,
    city TEXT,
    county TEXT,
    budget REAL,
    budget_raw TEXT,
    deadline TEXT,
    deadline_raw TEXT,
    cooperation_mode TEXT,
    cooperation_mode_raw TEXT,
    discipline TEXT,
    degree TEXT,
    headcount INTEGER,
    contact TEXT,
    phone TEXT,
    email TEXT,
    {_SOURCE_COLUMNS}
);
CREATE INDEX demands_enterprise ON demands(enterprise_id);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    sheet TEXT,
    kind TEXT,
    header_row INTEGER,
    metadata TEXT NOT NULL DEFAULT '{{}}',
    read INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL DEFAULT ({_NOW}),
    finished_at TEXT
);
CREATE INDEX imports_sha256 ON imports(sha256);

CREATE TABLE rejects (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    sheet TEXT,
    row_number INTEGER,
    column_name TEXT,
    value TEXT,
    reason TEXT NOT NULL,
    cells TEXT NOT NULL DEFAULT '{{}}',
    created_at TEXT NOT NULL DEFAULT ({_NOW})
);

CREATE TABLE import_warnings (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    sheet TEXT,
    row_number INTEGER,
    column_name TEXT,
    value TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL
);
"""

# Version 2: matching, people's decisions, entity review, events and outcomes.
V2 = f"""
CREATE TABLE match_runs (
    id INTEGER PRIMARY KEY,
    params TEXT NOT NULL DEFAULT '{{}}',
    demands INTEGER NOT NULL DEFAULT 0,
    candidate_pairs INTEGER NOT NULL DEFAULT 0,
    matches INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'running',
    started_at TEXT NOT NULL DEFAULT ({_NOW}),
    finished_at TEXT
);

CREATE TABLE matches (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES match_runs(id),
    demand_id INTEGER NOT NULL REFERENCES demands(id) ON DELETE CASCADE,
    target_type TEXT NOT NULL CHECK (target_type IN ('project', 'expert', 'institute')),
    target_id INTEGER NOT NULL,
    score REAL NOT NULL,
    rank INTEGER,
    parts TEXT NOT NULL DEFAULT '{{}}',
    shared_terms TEXT NOT NULL DEFAULT '[]',
    match_rule TEXT,
    status TEXT NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'accepted', 'rejected', 'stale')),
    created_at TEXT NOT NULL DEFAULT ({_NOW}),
    updated_at TEXT NOT NULL DEFAULT ({_NOW}),
    UNIQUE (demand_id, target_type, target_id)
);
CREATE INDEX matches_target ON matches(target_type, target_id);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    demand_id INTEGER NOT NULL REFERENCES demands(id) ON DELETE CASCADE,
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected', 'pending')),
    note TEXT,
    decided_by TEXT,
    decided_at TEXT NOT NULL DEFAULT ({_NOW}),
    UNIQUE (demand_id, target_type, target_id)
);

CREATE TABLE embeddings (
    text_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (text_hash, model)
);

CREATE TABLE resolution_queue (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    record_id INTEGER,
    candidate_id INTEGER,
    score REAL,
    match_rule TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL DEFAULT ({_NOW})
);

CREATE TABLE entity_decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    id_a INTEGER NOT NULL,
    id_b INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('merge', 'distinct')),
    decided_at TEXT NOT NULL DEFAULT ({_NOW}),
    UNIQUE (kind, id_a, id_b)
);

CREATE TABLE merges (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    kept_id INTEGER NOT NULL,
    merged_id INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    merged_at TEXT NOT NULL DEFAULT ({_NOW}),
    undone_at TEXT
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT,
    date TEXT,
    venue TEXT,
    organizers TEXT,
    created_at TEXT NOT NULL DEFAULT ({_NOW})
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    demand_id INTEGER NOT NULL REFERENCES demands(id),
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    slot TEXT,
    table_number TEXT,
    status TEXT NOT NULL DEFAULT 'scheduled'
);

CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    demand_id INTEGER NOT NULL REFERENCES demands(id),
    target_type TEXT,
    target_id INTEGER,
    event_id INTEGER REFERENCES events(id),
    stage TEXT NOT NULL CHECK (stage IN ('intent', 'signed', 'landed')),
    amount REAL,
    date TEXT,
    note TEXT,
    created_at TEXT NOT NULL DEFAULT ({_NOW})
);
"""

# Version 3: what each demand was last matched against, so that a scheduled
# `kjd match --only-changed` rescores only demands whose inputs changed.
V3 = f"""
CREATE TABLE match_state (
    demand_id INTEGER PRIMARY KEY REFERENCES demands(id) ON DELETE CASCADE,
    input_hash TEXT NOT NULL,
    run_id INTEGER REFERENCES match_runs(id),
    matched_at TEXT NOT NULL DEFAULT ({_NOW})
);
"""

# Version 4: look up the review queue by record, so that queueing a name for
# review does not scan the whole queue.
V4 = """
CREATE INDEX resolution_queue_record ON resolution_queue(kind, record_id);
"""

MIGRATIONS: list[str] = [V1, V2, V3, V4]
SCHEMA_VERSION = len(MIGRATIONS)

ENTITY_TABLES = ("institutes", "experts", "projects", "enterprises", "demands")
