package dev.errand.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.record.JobQuery;
import dev.errand.core.record.JobStatus;
import dev.errand.core.validation.FieldError;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** GET /jobs: its parameters, each bad one named, and a cursor that only pages through the search it came from. */
class ListApiTest {

    private static java.util.List<String> problems(Map<String, String> query) {
        return ((ListApi.Parsed.Invalid) ListApi.parse(query)).errors().stream().map(e -> e.pointer() + " " + e.detail()).toList();
    }

    @Test
    void readsEveryParameter() {
        JobQuery q = ((ListApi.Parsed.Ok) ListApi.parse(Map.of("status", "dead", "target", "crm", "since", "2026-11-24T00:00:00Z",
                "until", "2026-11-25T01:00:00+01:00", "limit", "20"))).query();
        assertThat(q).isEqualTo(new JobQuery(Optional.of(JobStatus.DEAD), Optional.of("crm"), Optional.of(Instant.parse("2026-11-24T00:00:00Z")),
                Optional.of(Instant.parse("2026-11-25T00:00:00Z")), 20, Optional.empty()));
        assertThat(((ListApi.Parsed.Ok) ListApi.parse(Map.of())).query().limit()).isEqualTo(JobQuery.DEFAULT_LIMIT);
    }

    @Test
    void namesEveryBadParameter() {
        assertThat(problems(Map.of("status", "gone", "limit", "0", "since", "yesterday", "cursor", "abc", "colour", "red")))
                .containsExactlyInAnyOrder(
                        "/colour is not a known parameter (known: status, target, since, until, limit, cursor)",
                        "/status must be one of [scheduled, queued, running, retrying, succeeded, failed, dead, cancelled], was 'gone'",
                        "/since must be an RFC 3339 date-time with an offset such as 2026-11-25T10:00:00Z, was 'yesterday'",
                        "/limit must be a whole number from 1 to 100, was '0'",
                        "/cursor is not a cursor this API gave for this search (status, target, since and until must be the same as"
                                + " on the first page); start again without a cursor");
        assertThat(problems(Map.of("limit", "101"))).containsExactly("/limit must be a whole number from 1 to 100, was '101'");
        assertThat(problems(Map.of("limit", "2.5"))).hasSize(1);
        assertThat(problems(Map.of("since", "2026-11-25T00:00:00Z", "until", "2026-11-24T00:00:00Z")))
                .containsExactly("/since is after until: the window would be empty");
    }

    @Test
    void aCursorPagesOnlyTheSearchItWasMadeFor() {
        JobQuery dead = ((ListApi.Parsed.Ok) ListApi.parse(Map.of("status", "dead"))).query();
        String key = JobQuery.changeKey(Instant.parse("2026-11-25T10:00:00Z"), new dev.errand.core.job.JobId("019ab2f0-5a00-7000-8000-000000000001"));
        String cursor = ListApi.cursor(key, dead);

        assertThat(((ListApi.Parsed.Ok) ListApi.parse(Map.of("status", "dead", "cursor", cursor))).query().after()).contains(key);
        assertThat(problems(Map.of("status", "failed", "cursor", cursor))).as("another search's cursor").hasSize(1);
        assertThat(problems(Map.of("status", "dead", "cursor", cursor.substring(0, cursor.length() - 2)))).as("a cut cursor").hasSize(1);
        String forged = java.util.Base64.getUrlEncoder().encodeToString("{\"v\":1,\"after\":\"x\",\"search\":\"y\"}".getBytes());
        assertThat(problems(Map.of("status", "dead", "cursor", forged))).hasSize(1);
    }
}
