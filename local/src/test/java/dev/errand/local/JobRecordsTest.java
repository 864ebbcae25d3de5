package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Job records end to end: status, idempotent submission, the duplicate-delivery guard (moto for DynamoDB). */
class JobRecordsTest {

    private static final String BODY_MARK = "body-value-7c1e";
    private static final String HEADER_MARK = "header-value-2b9d";

    private static Provider provider;
    private static LocalRuntime runtime;
    private static Api api;
    private static final CountDownLatch firstCallSeen = new CountDownLatch(1);
    private static final CountDownLatch releaseFirst = new CountDownLatch(1);
    private static final CountDownLatch secondCallSeen = new CountDownLatch(1);
    private static final CountDownLatch releaseSecond = new CountDownLatch(1);
    private static final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        provider = Provider.start(JobRecordsTest::answer);
        runtime = TestRuntime.start("{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"timeoutMs\":20000}}}",
                Map.of("MaxAttempts", "2", "RetryBaseSeconds", "1", "RetryMaxSeconds", "2", "ConsumerTimeoutSeconds", "30"),
                new PrintStream(logs, true, StandardCharsets.UTF_8));
        api = new Api(runtime.apiUrl());
    }

    @AfterAll
    static void stop() {
        runtime.close();
        provider.close();
    }

    /** /stepwise: the first call waits for the test, then 503; the second waits, then 200. Others: /status/NNN. */
    private static Reply answer(Provider.Call call) {
        if (call.path().equals("/stepwise")) {
            boolean first = provider.callsFor(call.jobId()).size() == 1;
            (first ? firstCallSeen : secondCallSeen).countDown();
            await(first ? releaseFirst : releaseSecond);
            return first ? Reply.status(503).withHeader("Retry-After", "1") : Reply.status(200);
        }
        return call.path().startsWith("/status/") ? Reply.status(Integer.parseInt(call.path().substring(8))) : Reply.status(200);
    }

    private static String status(String jobId) {
        Api.Answer answer = api.get("/jobs/" + jobId);
        return answer.status() == 200 ? (String) answer.json().get("status") : "http " + answer.status();
    }

    private static Map<String, Object> record(String jobId) {
        return api.get("/jobs/" + jobId).json();
    }

    private static String submit(String job) {
        Api.Answer answer = api.post("/jobs", job);
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return answer.jobId();
    }

    @Test
    void aJobsStatusGoesScheduledRunningRetryingRunningSucceeded() throws InterruptedException {
        String id = submit("{\"target\":\"crm\",\"path\":\"/stepwise\",\"delaySeconds\":1,\"body\":{\"mark\":\"" + BODY_MARK + "\"},"
                + "\"headers\":{\"X-Mark\":\"" + HEADER_MARK + "\"}}");
        assertThat(api.post("/jobs", "{\"target\":\"crm\"}").header("location")).startsWith("/jobs/");

        assertThat(status(id)).as("due a second after it was accepted").isEqualTo("scheduled");
        assertThat(firstCallSeen.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(record(id)).containsEntry("status", "running").containsEntry("attempts", 1);
        releaseFirst.countDown();
        Eventually.within(Duration.ofSeconds(5), "retrying", () -> status(id).equals("retrying"));
        assertThat(record(id)).containsEntry("lastStatusCode", 503).containsEntry("attempts", 1).containsKey("nextAttemptAt");
        assertThat(secondCallSeen.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(record(id)).containsEntry("status", "running").containsEntry("attempts", 2);
        releaseSecond.countDown();
        Eventually.within(Duration.ofSeconds(5), "succeeded", () -> status(id).equals("succeeded"));

        Map<String, Object> done = record(id);
        assertThat(done).containsEntry("attempts", 2).containsEntry("lastStatusCode", 200).containsEntry("target", "crm")
                .containsEntry("method", "POST").containsEntry("path", "/stepwise").containsKeys("createdAt", "updatedAt", "expiresAt");
        assertThat(done.toString()).doesNotContain(BODY_MARK, HEADER_MARK);
    }

    @Test
    void aJobThatKeepsFailingEndsDeadAndARefusedOneFailed() {
        String dead = submit("{\"target\":\"crm\",\"path\":\"/status/503\"}");
        String failed = submit("{\"target\":\"crm\",\"path\":\"/status/422\"}");

        Eventually.within(Duration.ofSeconds(15), "dead and failed", () -> status(dead).equals("dead") && status(failed).equals("failed"));

        assertThat(record(dead)).containsEntry("attempts", 2).containsEntry("lastStatusCode", 503)
                .containsEntry("lastError", "gave up after 2 attempts; last: HTTP 503: {\"status\":503}");
        assertThat(record(failed)).containsEntry("attempts", 1).containsEntry("lastStatusCode", 422);
    }

    @Test
    void theSameMessageDeliveredTwiceCallsTheProviderOnce() {
        String id = submit("{\"target\":\"crm\",\"path\":\"/status/201\"}");
        Eventually.within(Duration.ofSeconds(10), "succeeded", () -> status(id).equals("succeeded"));
        String body = "{\"v\":1,\"jobId\":\"" + id + "\",\"submittedAt\":\"2026-11-25T10:00:00Z\",\"attempts\":0,"
                + "\"request\":{\"target\":\"crm\",\"method\":\"POST\",\"path\":\"/status/201\",\"headers\":{},\"delaySeconds\":0}}";

        runtime.sqs().sendMessage(b -> b.queueUrl(runtime.queue("JobsQueue").url()).messageBody(body));
        Eventually.within(Duration.ofSeconds(10), "the duplicate to be handled",
                () -> logs.toString(StandardCharsets.UTF_8).contains("duplicate delivery") && TestRuntime.depth(runtime, "JobsQueue") == 0);

        assertThat(provider.callsFor(id)).hasSize(1);
        assertThat(logs.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(id) && l.contains("\"outcome\":\"skipped\"")))
                .hasSize(1);
    }

    @Test
    void aRepeatedKeyGivesTheSameJobAndADifferentRequestUnderItIsAConflict() {
        String job = "{\"target\":\"crm\",\"path\":\"/status/200\",\"body\":{\"order\":1}}";
        Api.Answer first = post("/jobs", job, "order-1-confirmation");
        Api.Answer again = post("/jobs", job.replace("{\"order\":1}", "{ \"order\" : 1 }"), "order-1-confirmation");
        Api.Answer different = post("/jobs", job.replace("1", "2"), "order-1-confirmation");

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.jobId()).isEqualTo(first.jobId());
        assertThat(again.header("idempotent-replayed")).isEqualTo("true");
        assertThat(different.status()).isEqualTo(409);
        assertThat(different.json()).containsEntry("type", "urn:errand:problem:idempotency-conflict").containsEntry("jobId", first.jobId());
        Eventually.within(Duration.ofSeconds(10), "delivery", () -> status(first.jobId()).equals("succeeded"));
        TestRuntime.pause(Duration.ofMillis(500));
        assertThat(provider.callsFor(first.jobId())).hasSize(1);
        assertThat(record(first.jobId())).containsEntry("idempotencyKey", "order-1-confirmation");
        Api.Answer later = post("/jobs", job, "order-1-confirmation");
        assertThat(later.json()).as("a replay answers where the job stands now").containsEntry("status", "succeeded");
    }

    @Test
    void tenConcurrentRepeatsOfOneKeyCreateOneJobAndOneMessage() throws Exception {
        String job = "{\"target\":\"crm\",\"path\":\"/status/204\",\"body\":{\"n\":10}}";
        List<Api.Answer> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(10)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Api.Answer>> running = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                running.add(clients.submit(() -> {
                    go.await();
                    return post("/jobs", job, "ten-at-once");
                }));
            }
            go.countDown();
            for (Future<Api.Answer> f : running) {
                answers.add(f.get(30, TimeUnit.SECONDS));
            }
        }

        assertThat(answers).extracting(Api.Answer::status).containsOnly(202);
        assertThat(answers).extracting(Api.Answer::jobId).containsOnly(answers.getFirst().jobId());
        Eventually.within(Duration.ofSeconds(10), "delivery", () -> status(answers.getFirst().jobId()).equals("succeeded"));
        TestRuntime.pause(Duration.ofSeconds(1));
        assertThat(provider.calls().stream().filter(c -> c.body().equals("{\"n\":10}"))).hasSize(1);
    }

    @Test
    void aStatusRequestForAnUnknownOrMalformedIdSaysSo() {
        assertThat(api.get("/jobs/019ab2f0-5a00-7000-8000-000000000001").status()).isEqualTo(404);
        Api.Answer malformed = api.get("/jobs/not-a-job");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.header("content-type")).isEqualTo("application/problem+json");
        assertThat(post("/jobs", "{\"target\":\"crm\"}", "").status()).isEqualTo(400);
    }

    @Test
    void noItemEverHoldsABodyOrAHeaderValue() {
        String id = submit("{\"target\":\"crm\",\"path\":\"/status/200\",\"body\":{\"mark\":\"" + BODY_MARK + "\"},"
                + "\"headers\":{\"X-Mark\":\"" + HEADER_MARK + "\"}}");
        Eventually.within(Duration.ofSeconds(10), "delivery", () -> status(id).equals("succeeded"));

        try (DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(runtime.motoEndpoint().orElseThrow())
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"))).build()) {
            String items = dynamo.scan(b -> b.tableName(runtime.table("JobsTable").orElseThrow())).items().toString();
            assertThat(items).contains(id).doesNotContain(BODY_MARK, HEADER_MARK);
        }
    }

    private static Api.Answer post(String path, String body, String key) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(runtime.apiUrl() + path))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Idempotency-Key", key).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Api.Answer(r.statusCode(), r.headers().map(), r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
