import Foundation

extension LabSchema {
    /// Tables holding a case's rows: row-level security restricts each to the cases the caller's
    /// role may see.
    static let caseTables = ["lab_cases"] + CaseTable.all.map(\.name)

    /// Per-case access (docs/lab.md, "Roles and access"): `lab_case_access` names, per case, the
    /// PostgreSQL roles (usually group roles) whose members may read it; row-level security on
    /// every case table keeps the other cases' rows out of every query of any other role. The
    /// lab's owner (who runs `lab init`, publishes and runs workers) bypasses row-level security
    /// as the tables' owner. `lab_visible_cases` runs as its owner (SECURITY DEFINER) so readers
    /// need no right on `lab_case_access`; the policy passes it `current_user`, and evaluates it
    /// once per query (a sub-select is an init plan; the cast makes `= ANY` read it as one array,
    /// not as a set of rows), not once per row.
    static let v3: [String] = [
        """
        CREATE TABLE lab_case_access (
            case_name text NOT NULL, role text NOT NULL, granted_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (case_name, role))
        """,
        """
        CREATE FUNCTION lab_visible_cases(who name) RETURNS integer[]
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT coalesce(array_agg(c.case_id), '{}') FROM lab_cases c
            JOIN lab_case_access a ON a.case_name = c.name
            JOIN pg_catalog.pg_roles r ON r.rolname = a.role
            WHERE pg_catalog.pg_has_role(who, r.oid, 'MEMBER')
        $$
        """,
    ] + caseTables.flatMap { t in
        [
            "ALTER TABLE \(t) ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY lab_case_reader ON \(t) FOR SELECT USING (case_id = ANY ((SELECT lab_visible_cases(current_user))::integer[]))",
        ]
    }

    /// Lab-wide hash sets: a list imported once into the lab (`exhibit lab hashset import`) is
    /// imported by every worker into each case database before it ingests an item, so its matches
    /// are recorded in the case (court-ready) and published with it. `source_path` is the list on
    /// shared storage, `source_sha256` what it held when imported (a worker refuses a list that
    /// changed since); the entries are kept here too, for questions in the lab.
    static let v4: [String] = [
        """
        CREATE TABLE lab_hashsets (
            hashset_id serial PRIMARY KEY, name text NOT NULL UNIQUE, kind text NOT NULL,
            format text NOT NULL, import_arguments jsonb NOT NULL,
            source_path text NOT NULL, source_sha256 text NOT NULL, source_size bigint NOT NULL,
            entry_count integer NOT NULL, rejected_count integer NOT NULL, imported_utc text NOT NULL)
        """,
        """
        CREATE TABLE lab_hashset_entries (
            hashset_id integer NOT NULL REFERENCES lab_hashsets ON DELETE CASCADE, entry_id bigint NOT NULL,
            algorithm text NOT NULL, hash text NOT NULL, quality integer, category text, label text, media_id text,
            frame_index integer, frame_time_us bigint,
            PRIMARY KEY (hashset_id, entry_id))
        """,
        "CREATE INDEX lab_hashset_entries_hash ON lab_hashset_entries (hash)",
    ]
}
