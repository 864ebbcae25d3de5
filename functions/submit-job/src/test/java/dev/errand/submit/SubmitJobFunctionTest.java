package dev.errand.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.errand.aws.Env;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.json.Json;
import dev.errand.testkit.Ports;
import dev.errand.testkit.Sqs;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.sqs.model.Message;

class SubmitJobFunctionTest {

    private static final String TARGETS = """
            {"targets":{"demo":{"baseUrl":"https://api.example.com"},"crm":{"baseUrl":"https://crm.example.com"}}}""";

    private static Sqs sqs;
    private static String queueUrl;
    private static SubmitJobFunction function;

    @BeforeAll
    static void start() {
        sqs = Sqs.start();
        queueUrl = sqs.createQueue("jobs", Map.of());
        function = new SubmitJobFunction(env(sqs.environment(), queueUrl, Map.of(Env.MAX_BODY_BYTES, "1000")));
    }

    @AfterAll
    static void stop() {
        sqs.close();
    }

    @BeforeEach
    void emptyQueue() {
        sqs.drain(queueUrl);
    }

    private static Env env(Map<String, String> aws, String queue, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(aws);
        env.put(Env.JOBS_QUEUE_URL, queue);
        env.put(Env.TARGETS, TARGETS);
        env.putAll(more);
        return new Env(env);
    }

    private static APIGatewayV2HTTPEvent sample(String file) {
        return EventLoader.loadApiGatewayHttpEvent("../../events/" + file);
    }

    private static APIGatewayV2HTTPResponse post(SubmitJobFunction f, String routeKey, String body) {
        APIGatewayV2HTTPEvent event = sample(routeKey.endsWith("batch") ? "submit-batch.json" : "submit-job.json");
        event.setBody(body);
        return f.handleRequest(event, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(APIGatewayV2HTTPResponse r) {
        return (Map<String, Object>) ((Json.Parsed.Value) Json.parse(r.getBody())).value();
    }

    @SuppressWarnings("unchecked")
    private static List<String> errors(APIGatewayV2HTTPResponse r) {
        return ((List<Map<String, String>>) json(r).get("errors")).stream().map(e -> e.get("pointer") + " " + e.get("detail")).toList();
    }

    private static Job decode(Message m) {
        return ((Envelope.Decoded.Readable) Envelope.decode(m.body())).job();
    }

    @Test
    void theSampleEventQueuesItsJob() {
        APIGatewayV2HTTPResponse response = function.handleRequest(sample("submit-job.json"), null);

        assertThat(response.getStatusCode()).isEqualTo(202);
        Map<String, Object> body = json(response);
        String jobId = (String) body.get("jobId");
        assertThat(body).containsEntry("status", "queued").containsEntry("target", "demo");
        assertThat(response.getHeaders()).containsEntry("Location", "/jobs/" + jobId);
        List<Message> messages = sqs.drain(queueUrl);
        assertThat(messages).hasSize(1);
        Job job = decode(messages.getFirst());
        assertThat(job.id().value()).isEqualTo(jobId);
        assertThat(job.priorAttempts()).isZero();
        assertThat(job.request().method()).isEqualTo(HttpMethod.POST);
        assertThat(job.request().path()).isEqualTo("/status/200");
        assertThat(job.request().headers()).containsEntry("X-Request-Source", "signup");
        assertThat(job.request().body()).contains("{\"email\":\"ada@example.com\"}");
        assertThat(messages.getFirst().messageAttributes().get("errand.jobId").stringValue()).isEqualTo(jobId);
        assertThat(messages.getFirst().messageAttributes().get("errand.target").stringValue()).isEqualTo("demo");
    }

    @Test
    void queuedJobsAreCountedPerTargetAsAnEmfMetric() {
        java.io.ByteArrayOutputStream logs = new java.io.ByteArrayOutputStream();
        SubmitJobFunction counted = new SubmitJobFunction(env(sqs.environment(), queueUrl, Map.of()),
                new java.io.PrintStream(logs, true, java.nio.charset.StandardCharsets.UTF_8));

        post(counted, "POST /jobs/batch", "{\"jobs\":[{\"target\":\"crm\"},{\"target\":\"crm\"},{\"target\":\"demo\"},{\"target\":\"x\"}]}");

        List<String> lines = logs.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{\"_aws\":{").contains("\"Namespace\":\"Errand\"",
                "\"Metrics\":[{\"Name\":\"Submitted\",\"Unit\":\"Count\"}]", "\"Dimensions\":[[\"Target\"]]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"Target\":\"crm\"", "\"Submitted\":2.0"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"Target\":\"demo\"", "\"Submitted\":1.0"));
        sqs.drain(queueUrl);
    }

    @Test
    void aDelayedJobStaysHiddenForItsDelay() {
        APIGatewayV2HTTPResponse response = post(function, "POST /jobs", "{\"target\":\"demo\",\"delaySeconds\":60}");

        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(sqs.drain(queueUrl)).isEmpty();
        assertThat(sqs.depth(queueUrl)).isEqualTo(1);
        sqs.client().purgeQueue(b -> b.queueUrl(queueUrl));
    }

    @Test
    void aBase64BodyIsReadLikeAnyOther() {
        APIGatewayV2HTTPEvent event = sample("submit-job.json");
        event.setBody(Base64.getEncoder().encodeToString("{\"target\":\"crm\"}".getBytes(StandardCharsets.UTF_8)));
        event.setIsBase64Encoded(true);

        assertThat(function.handleRequest(event, null).getStatusCode()).isEqualTo(202);
        assertThat(sqs.drain(queueUrl)).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON       | {"target":                                   | ' is not valid JSON: Unexpected end-of-input within/between Object entries at line 1, column 11'
            empty body           | ''                                           | ' is not valid JSON: the document is empty'
            not an object        | [1]                                          | ' must be a JSON object, was array'
            missing target       | {"path":"/x"}                                | /target is required: the name of a configured target
            unknown target       | {"target":"billing"}                         | '/target ''billing'' is not a configured target; configured targets: crm, demo'
            target of wrong type | {"target":true}                              | /target must be the name of a configured target, was boolean
            bad method           | {"target":"crm","method":"get"}              | '/method must be one of [GET, POST, PUT, PATCH, DELETE], was ''get'''
            absolute URL path    | {"target":"crm","path":"https://evil.example"} | '/path must start with ''/'': it is appended to the target''s base URL, never a URL of its own'
            dot-dot path         | {"target":"crm","path":"/a/../../admin"}     | '/path must not contain ''..'': it could climb out of the target''s base path'
            forbidden header     | {"target":"crm","headers":{"Host":"evil"}}   | /headers/Host is set from the target's base URL
            header not a string  | {"target":"crm","headers":{"X-A":1}}         | /headers/X-A must be a string, was number
            body over the limit  | {"target":"crm","body":"%s"}                 | /body is 1502 bytes as JSON; the limit is 1000
            delay too long       | {"target":"crm","delaySeconds":31536001}     | /delaySeconds must be a whole number of seconds from 0 to 31536000 (a year), was 31536001
            unknown field        | {"target":"crm","retries":3}                 | /retries is not a known field (known: target, method, path, headers, body, delaySeconds, runAt, notify)
            """)
    void refusesABadJobNamingTheProblemAndQueuesNothing(String name, String body, String problem) {
        APIGatewayV2HTTPResponse response = post(function, "POST /jobs", body.formatted("x".repeat(1500)));

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(json(response)).containsEntry("type", "urn:errand:problem:invalid-request").containsEntry("status", 400);
        assertThat(errors(response)).containsExactly(problem);
        assertThat(response.getBody()).doesNotContain("Exception", "\tat ");
        assertThat(sqs.depth(queueUrl)).isZero();
    }

    @Test
    void namesEveryProblemOfOneJob() {
        APIGatewayV2HTTPResponse response = post(function, "POST /jobs",
                "{\"target\":\"x\",\"method\":\"FETCH\",\"path\":\"//evil\",\"headers\":{\"Authorization\":\"a\"},\"delaySeconds\":-1}");

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(json(response)).containsEntry("detail", "5 problems found");
        assertThat(errors(response)).extracting(e -> e.split(" ")[0])
                .containsExactlyInAnyOrder("/target", "/method", "/path", "/headers/Authorization", "/delaySeconds");
        assertThat(sqs.depth(queueUrl)).isZero();
    }

    @Test
    void refusesARequestLargerThanAJobCanBe() {
        APIGatewayV2HTTPResponse response = post(function, "POST /jobs", "{\"target\":\"crm\",\"body\":\""
                + "x".repeat(dev.errand.core.api.JobsApi.MAX_JOB_REQUEST_BYTES) + "\"}");

        assertThat(response.getStatusCode()).isEqualTo(413);
        assertThat(json(response)).containsEntry("type", "urn:errand:problem:too-large");
        assertThat(sqs.depth(queueUrl)).isZero();
    }

    @Test
    void aBatchAnswersPerJobInOrderAndQueuesTheValidOnes() {
        APIGatewayV2HTTPResponse response = function.handleRequest(sample("submit-batch.json"), null);

        assertThat(response.getStatusCode()).isEqualTo(207);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) json(response).get("results");
        assertThat(results).extracting(r -> r.get("index"), r -> r.get("status"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "queued"), org.assertj.core.groups.Tuple.tuple(1, "queued"),
                        org.assertj.core.groups.Tuple.tuple(2, "rejected"));
        assertThat(results.get(2).toString()).contains("/jobs/2/target", "/jobs/2/path");
        List<Message> messages = sqs.drain(queueUrl);
        assertThat(messages.stream().map(m -> decode(m).id().value()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder((String) results.get(0).get("jobId"), (String) results.get(1).get("jobId"));
    }

    @Test
    void aFullBatchGoesOutInChunksOfTenAndAllArrive() {
        String jobs = IntStream.range(0, 100).mapToObj(i -> "{\"target\":\"crm\",\"path\":\"/c/" + i + "\"}").collect(Collectors.joining(","));
        APIGatewayV2HTTPResponse response = post(function, "POST /jobs/batch", "{\"jobs\":[" + jobs + "]}");

        assertThat(response.getStatusCode()).isEqualTo(202);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) json(response).get("results");
        assertThat(results).hasSize(100).allSatisfy(r -> assertThat(r).containsEntry("status", "queued"));
        List<Message> messages = sqs.drain(queueUrl);
        assertThat(messages).hasSize(100);
        Map<String, String> pathById = messages.stream().map(SubmitJobFunctionTest::decode)
                .collect(Collectors.toMap(j -> j.id().value(), j -> j.request().path()));
        for (int i = 0; i < 100; i++) {
            assertThat(pathById.get((String) results.get(i).get("jobId"))).isEqualTo("/c/" + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no jobs field      | {"items":[]}          | /items is not a known field (known: jobs);/jobs is required: an array of 1 to 100 jobs
            jobs not an array  | {"jobs":{}}           | /jobs must be an array of jobs, was object
            empty batch        | {"jobs":[]}           | /jobs must hold 1 to 100 jobs, held 0
            every job invalid  | {"jobs":[{},{"target":"crm","method":1}]} | /jobs/0/target is required: the name of a configured target;/jobs/1/method must be one of [GET, POST, PUT, PATCH, DELETE], was number
            """)
    void refusesABadBatchAndQueuesNothing(String name, String body, String problems) {
        APIGatewayV2HTTPResponse response = post(function, "POST /jobs/batch", body);

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(errors(response)).containsExactly(problems.split(";"));
        assertThat(sqs.depth(queueUrl)).isZero();
    }

    @Test
    void refusesMoreThanAHundredJobs() {
        String jobs = IntStream.range(0, 101).mapToObj(i -> "{\"target\":\"crm\"}").collect(Collectors.joining(","));
        APIGatewayV2HTTPResponse response = post(function, "POST /jobs/batch", "{\"jobs\":[" + jobs + "]}");

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(errors(response)).containsExactly("/jobs must hold 1 to 100 jobs, held 101");
        assertThat(sqs.depth(queueUrl)).isZero();
    }

    @Test
    void whenSqsIsUnreachableItAnswers503AndNeverClaimsAJobWasQueued() {
        SubmitJobFunction cut = new SubmitJobFunction(env(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "x",
                "AWS_SECRET_ACCESS_KEY", "x", "AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:" + Ports.closed()), queueUrl, Map.of()));

        APIGatewayV2HTTPResponse one = post(cut, "POST /jobs", "{\"target\":\"crm\"}");
        APIGatewayV2HTTPResponse batch = post(cut, "POST /jobs/batch", "{\"jobs\":[{\"target\":\"crm\"},{\"target\":\"crm\"},{\"target\":\"no\"}]}");

        assertThat(one.getStatusCode()).isEqualTo(503);
        assertThat(one.getHeaders()).containsEntry("Retry-After", "5").containsEntry("Content-Type", "application/problem+json");
        assertThat(json(one)).containsEntry("type", "urn:errand:problem:queue-unavailable").doesNotContainKey("jobId");
        assertThat(batch.getStatusCode()).isEqualTo(503);
        assertThat(batch.getHeaders()).containsEntry("Retry-After", "5");
        assertThat(batch.getBody()).doesNotContain("\"queued\"");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) json(batch).get("results");
        assertThat(results).extracting(r -> r.get("status")).containsExactly("failed", "failed", "rejected");
        assertThat(results.get(0)).containsEntry("retryable", true);
    }

    @Test
    void whenTheQueueRefusesTheJobItSaysSoAndClaimsNothing() {
        SubmitJobFunction cut = new SubmitJobFunction(env(sqs.environment(), queueUrl + "-missing", Map.of()));

        APIGatewayV2HTTPResponse response = post(cut, "POST /jobs", "{\"target\":\"crm\"}");

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(json(response)).containsEntry("type", "urn:errand:problem:queue-refused").doesNotContainKey("jobId");
        assertThat(response.getBody()).doesNotContain("\"status\":\"queued\"");
    }

    @Test
    void aFunctionWithoutTargetsRefusesToStartAndSaysWhy() {
        Map<String, String> env = new HashMap<>(sqs.environment());
        env.put(Env.JOBS_QUEUE_URL, queueUrl);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SubmitJobFunction(new Env(env)))
                .hasMessageContaining("no targets configured: set ERRAND_TARGETS");
        env.put(Env.TARGETS, "{\"targets\":{\"x\":{\"baseUrl\":\"http://x\"}}}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SubmitJobFunction(new Env(env)))
                .hasMessageContaining("targets.x.baseUrl must use https");
    }
}
