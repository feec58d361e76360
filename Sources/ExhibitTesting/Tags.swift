import Testing

extension Tag {
    /// Results depend on time-zone rules: `make test` runs these suites (and tests) again under
    /// `TZ=UTC` and `TZ=Asia/Seoul` to prove findings never depend on the machine's zone. The
    /// Makefile selects them from this tag (`Tests/Scripts/timezone-filter.py`).
    @Tag public static var timeZone: Self
}
