package dev.errand.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.JobRequest;
import dev.errand.core.json.Json;
import dev.errand.core.target.Targets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobRequestReaderTest {

    private static final Targets TARGETS = ((Targets.Loaded.Ok) Targets.parse("""
            {"targets": {
              "crm": {"baseUrl": "https://crm.example.com/api"},
              "mail": {"baseUrl": "https://mail.example.com", "auth": {"type": "header", "header": "X-Api-Key", "secret": "ssm:/errand/mail"}}
            }}""")).targets();

    private static final java.time.Instant NOW = java.time.Instant.parse("2026-11-25T10:00:00Z");
    private final JobRequestReader reader = new JobRequestReader(TARGETS, 64, java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));

    private JobRequestReader.Read read(String json) {
        return reader.read(((Json.Parsed.Value) Json.parse(json)).value(), Pointer.ROOT);
    }

    private List<String> problems(String json) {
        JobRequestReader.Read read = read(json);
        assertThat(read).isInstanceOf(JobRequestReader.Read.Invalid.class);
        return ((JobRequestReader.Read.Invalid) read).errors().stream().map(e -> e.pointer() + " " + e.detail()).toList();
    }

    @Test
    void readsAFullRequest() {
        var read = read("""
                {"target":"crm","method":"PUT","path":"/contacts/42?notify=true","headers":{"X-Trace":"abc"},
                 "body":{"name":"Ada","score":1.10},"delaySeconds":30}""");
        JobRequest request = ((JobRequestReader.Read.Ok) read).request();
        assertThat(request.target()).isEqualTo("crm");
        assertThat(request.method()).isEqualTo(HttpMethod.PUT);
        assertThat(request.path()).isEqualTo("/contacts/42?notify=true");
        assertThat(request.headers()).containsExactly(Map.entry("X-Trace", "abc"));
        assertThat(request.body()).contains("{\"name\":\"Ada\",\"score\":1.10}");
        assertThat(request.delaySeconds()).isEqualTo(30);
    }

    @Test
    void appliesDefaults() {
        JobRequest request = ((JobRequestReader.Read.Ok) read("{\"target\":\"crm\"}")).request();
        assertThat(request.method()).isEqualTo(HttpMethod.POST);
        assertThat(request.path()).isEmpty();
        assertThat(request.headers()).isEmpty();
        assertThat(request.body()).isEmpty();
        assertThat(request.delaySeconds()).isZero();
    }

    @Test
    void nullBodyMeansNoBody() {
        assertThat(((JobRequestReader.Read.Ok) read("{\"target\":\"crm\",\"body\":null}")).request().body()).isEqualTo(Optional.empty());
    }

    @Test
    void namesEveryProblemAtOnce() {
        assertThat(problems("""
                {"target":"nope","method":"FETCH","path":"../x","headers":{"Host":"evil"},"delaySeconds":31536001,"colour":"red"}"""))
                .containsExactlyInAnyOrder(
                        "/colour is not a known field (known: target, method, path, headers, body, delaySeconds, runAt, notify)",
                        "/target 'nope' is not a configured target; configured targets: crm, mail",
                        "/method must be one of [GET, POST, PUT, PATCH, DELETE], was 'FETCH'",
                        "/path must start with '/': it is appended to the target's base URL, never a URL of its own",
                        "/headers/Host is set from the target's base URL",
                        "/delaySeconds must be a whole number of seconds from 0 to 31536000 (a year), was 31536001");
    }

    @Test
    void refusesWrongTypes() {
        assertThat(problems("{\"target\":7,\"method\":[],\"path\":{},\"headers\":\"x\",\"delaySeconds\":\"5\"}")).containsExactlyInAnyOrder(
                "/target must be the name of a configured target, was number",
                "/method must be one of [GET, POST, PUT, PATCH, DELETE], was array",
                "/path must be a string starting with '/', was object",
                "/headers must be an object of header names to string values, was string",
                "/delaySeconds must be a whole number of seconds from 0 to 31536000 (a year), was string");
    }

    @Test
    void refusesAMissingOrBlankTarget() {
        assertThat(problems("{}")).containsExactly("/target is required: the name of a configured target");
        assertThat(problems("{\"target\":\"  \"}")).containsExactly("/target must be the name of a configured target, was string (blank)");
    }

    @Test
    void refusesSomethingThatIsNotAnObject() {
        assertThat(problems("[1,2]")).containsExactly(" must be a JSON object, was array");
        assertThat(problems("null")).containsExactly(" must be a JSON object, was null");
    }

    @Test
    void refusesFractionalAndNegativeDelays() {
        assertThat(problems("{\"target\":\"crm\",\"delaySeconds\":1.5}")).containsExactly(
                "/delaySeconds must be a whole number of seconds from 0 to 31536000 (a year), was 1.5");
        assertThat(problems("{\"target\":\"crm\",\"delaySeconds\":-1}")).containsExactly(
                "/delaySeconds must be a whole number of seconds from 0 to 31536000 (a year), was -1");
    }

    @Test
    void refusesABodyOverTheLimit() {
        String big = "x".repeat(100);
        assertThat(problems("{\"target\":\"crm\",\"body\":\"" + big + "\"}")).containsExactly("/body is 102 bytes as JSON; the limit is 64");
    }

    @Test
    void refusesForbiddenMalformedAndDuplicateHeaders() {
        assertThat(problems("""
                {"target":"mail","headers":{"Authorization":"Bearer x","content-length":"3","Connection":"close",
                 "Idempotency-Key":"mine","X-Api-Key":"k","Bad Name":"v","X-Ok":"a\\r\\nInjected: 1","X-Num":5,
                 "x-dup":"1","X-DUP":"2"}}"""))
                .containsExactlyInAnyOrder(
                        "/headers/Authorization is set by the target's auth configuration, never by a job",
                        "/headers/content-length is computed from the body",
                        "/headers/Connection is a hop-by-hop header, which belongs to one connection and is never forwarded",
                        "/headers/Idempotency-Key is set by Errand to the job id on every attempt",
                        "/headers/X-Api-Key is set by the target's auth configuration",
                        "/headers/Bad Name is not a valid header name: only letters, digits and !#$%&'*+-.^_`|~ are allowed",
                        "/headers/X-Ok must not contain the control character U+000D",
                        "/headers/X-Num must be a string, was number",
                        "/headers/X-DUP repeats header 'x-dup': header names ignore case");
    }

    @Test
    void refusesTooManyHeaders() {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i <= HeaderRules.MAX_HEADERS; i++) {
            headers.append(i == 0 ? "" : ",").append("\"X-").append(i).append("\":\"v\"");
        }
        assertThat(problems("{\"target\":\"crm\",\"headers\":{" + headers + "}}")).containsExactly("/headers has 51 headers; the limit is 50");
    }

    @Test
    void pointersEscapeSlashesAndTildes() {
        assertThat(problems("{\"target\":\"crm\",\"a/b~c\":1}")).first().asString().startsWith("/a~1b~0c ");
    }

    @Test
    void aJobMayRunUpToAYearLaterByDelayOrAtATimeWithAnOffset() {
        assertThat(((JobRequestReader.Read.Ok) read("{\"target\":\"crm\",\"delaySeconds\":31536000}")).request().delaySeconds())
                .isEqualTo(31_536_000);
        assertThat(((JobRequestReader.Read.Ok) read("{\"target\":\"crm\",\"runAt\":\"2026-11-25T12:00:00+01:00\"}")).request().runAt())
                .contains(java.time.Instant.parse("2026-11-25T11:00:00Z"));
        assertThat(((JobRequestReader.Read.Ok) read("{\"target\":\"crm\",\"runAt\":\"2020-01-01T00:00:00Z\"}")).request().runAt())
                .as("a time in the past is taken: the job runs at once").contains(java.time.Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(((JobRequestReader.Read.Ok) read("{\"target\":\"crm\",\"runAt\":\"2027-11-25T10:00:00Z\"}")).request().runAt())
                .as("exactly a year ahead").isPresent();
    }

    @Test
    void refusesABadOrTooDistantRunAtAndRunAtWithDelaySeconds() {
        assertThat(problems("{\"target\":\"crm\",\"runAt\":\"tomorrow\"}")).containsExactly("/runAt 'tomorrow' is not an RFC 3339 date-time"
                + " with an offset (such as 2026-11-25T10:00:00Z or 2026-11-25T11:00:00+01:00)");
        assertThat(problems("{\"target\":\"crm\",\"runAt\":\"2026-11-25T10:00:00\"}")).as("no offset").hasSize(1);
        assertThat(problems("{\"target\":\"crm\",\"runAt\":\"2027-11-25T10:00:01Z\"}")).containsExactly("/runAt '2027-11-25T10:00:01Z' is"
                + " more than a year (31536000 s) ahead; the latest is 2027-11-25T10:00:00Z");
        assertThat(problems("{\"target\":\"crm\",\"runAt\":5}")).containsExactly(
                "/runAt must be an RFC 3339 date-time with an offset such as 2026-11-25T10:00:00Z, was number");
        assertThat(problems("{\"target\":\"crm\",\"runAt\":\"2026-11-26T10:00:00Z\",\"delaySeconds\":60}"))
                .containsExactly("/runAt give runAt or delaySeconds, not both");
    }

    @Test
    void notifyNamesAConfiguredTargetAPathAndFinalStates() {
        var request = ((JobRequestReader.Read.Ok) read("{\"target\":\"crm\",\"notify\":{\"target\":\"mail\",\"path\":\"/hooks/errand\","
                + "\"on\":[\"dead\",\"succeeded\"]}}")).request();
        assertThat(request.notifyTo()).contains(new dev.errand.core.job.Notify("mail", "/hooks/errand",
                java.util.Set.of(dev.errand.core.record.JobStatus.DEAD, dev.errand.core.record.JobStatus.SUCCEEDED)));
        assertThat(((JobRequestReader.Read.Ok) read("{\"target\":\"crm\",\"notify\":{\"target\":\"mail\"}}")).request().notifyTo().orElseThrow().on())
                .as("on: every final state by default").containsExactlyInAnyOrderElementsOf(dev.errand.core.job.Notify.STATES);
        assertThat(problems("{\"target\":\"crm\",\"notify\":{\"target\":\"nope\",\"path\":\"x\",\"on\":[\"done\",\"queued\"],\"when\":1}}"))
                .containsExactlyInAnyOrder(
                        "/notify/when is not a known field (known: target, path, on)",
                        "/notify/target 'nope' is not a configured target; configured targets: crm, mail",
                        "/notify/path must start with '/': it is appended to the target's base URL, never a URL of its own",
                        "/notify/on/0 must be one of [succeeded, failed, dead, cancelled], was 'done'",
                        "/notify/on/1 must be one of [succeeded, failed, dead, cancelled], was 'queued'");
        assertThat(problems("{\"target\":\"crm\",\"notify\":{\"target\":\"mail\",\"on\":[]}}")).containsExactly(
                "/notify/on must be a non-empty array of states from [succeeded, failed, dead, cancelled], was empty");
        assertThat(problems("{\"target\":\"crm\",\"notify\":\"mail\"}")).containsExactly(
                "/notify must be an object {\"target\", \"path\", \"on\"}, was string");
    }
}
