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

    private final JobRequestReader reader = new JobRequestReader(TARGETS, 64);

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
                {"target":"nope","method":"FETCH","path":"../x","headers":{"Host":"evil"},"delaySeconds":901,"colour":"red"}"""))
                .containsExactlyInAnyOrder(
                        "/colour is not a known field (known: target, method, path, headers, body, delaySeconds)",
                        "/target 'nope' is not a configured target; configured targets: crm, mail",
                        "/method must be one of [GET, POST, PUT, PATCH, DELETE], was 'FETCH'",
                        "/path must start with '/': it is appended to the target's base URL, never a URL of its own",
                        "/headers/Host is set from the target's base URL",
                        "/delaySeconds must be a whole number of seconds from 0 to 900, was 901");
    }

    @Test
    void refusesWrongTypes() {
        assertThat(problems("{\"target\":7,\"method\":[],\"path\":{},\"headers\":\"x\",\"delaySeconds\":\"5\"}")).containsExactlyInAnyOrder(
                "/target must be the name of a configured target, was number",
                "/method must be one of [GET, POST, PUT, PATCH, DELETE], was array",
                "/path must be a string starting with '/', was object",
                "/headers must be an object of header names to string values, was string",
                "/delaySeconds must be a whole number of seconds from 0 to 900, was string");
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
                "/delaySeconds must be a whole number of seconds from 0 to 900, was 1.5");
        assertThat(problems("{\"target\":\"crm\",\"delaySeconds\":-1}")).containsExactly(
                "/delaySeconds must be a whole number of seconds from 0 to 900, was -1");
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
}
