package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The whole path through the local runtime: HTTP API, SQS, the event source, the consumer, a real HTTP
 * server as the provider, and the dead-letter queue. Retries run on a 1 s base without jitter. Each
 * subclass runs these scenarios against one backend: the embedded emulators, or LocalStack.
 */
abstract class EndToEndScenarios {

    static Provider provider;
    static LocalRuntime runtime;
    static Api api;

    /** Starts the runtime, the backend chosen by {@code backend} (the embedded emulators by default). */
    static void start(UnaryOperator<LocalRuntime.Options> backend) {
        provider = Provider.start(EndToEndScenarios::answer);
        String targets = "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "/api\",\"allowInsecure\":true}}}";
        runtime = TestRuntime.start(targets, Map.of("MaxAttempts", "3", "RetryBaseSeconds", "1", "RetryMaxSeconds", "4",
                "ConsumerTimeoutSeconds", "10"), backend);
        api = new Api(runtime.apiUrl());
    }

    @AfterAll
    static void stop() {
        Optional.ofNullable(runtime).ifPresent(LocalRuntime::close);
        Optional.ofNullable(provider).ifPresent(Provider::close);
    }

    /** The provider answers what the path asks: /ok, /status/NNN, /flaky (503 twice, then 200), /slow-down (429 once). */
    private static Reply answer(Provider.Call call) {
        String path = call.path().substring("/api".length());
        int callsSoFar = provider.callsFor(call.jobId()).size();
        if (path.startsWith("/status/")) {
            return Reply.status(Integer.parseInt(path.substring("/status/".length())));
        }
        if (path.equals("/flaky")) {
            return Reply.status(callsSoFar <= 2 ? 503 : 200);
        }
        if (path.equals("/slow-down")) {
            return callsSoFar <= 1 ? Reply.status(429).withHeader("Retry-After", "2") : Reply.status(200);
        }
        return Reply.status(200);
    }

    private static String submit(String job) {
        Api.Answer answer = api.post("/jobs", job);
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return answer.jobId();
    }

    private static Message deadLetterOf(String jobId) {
        Message[] found = new Message[1];
        Eventually.within(Duration.ofSeconds(20), "job " + jobId + " in the dead-letter queue", () -> {
            TestRuntime.peek(runtime, "DeadLetterQueue").stream()
                    .filter(m -> TestRuntime.attribute(m, "errand.jobId").orElse("").equals(jobId))
                    .findFirst().ifPresent(m -> found[0] = m);
            return found[0] != null;
        });
        return found[0];
    }

    @Test
    void deliveredJobsArriveOnceWithTheirIdempotencyKey() throws InterruptedException {
        String jobs = IntStream.range(0, 30).mapToObj(i -> "{\"target\":\"crm\",\"path\":\"/ok\",\"body\":{\"n\":" + i + "}}")
                .collect(Collectors.joining(","));
        Api.Answer answer = api.post("/jobs/batch", "{\"jobs\":[" + jobs + "]}");
        assertThat(answer.status()).isEqualTo(202);
        @SuppressWarnings("unchecked")
        List<String> ids = ((List<Map<String, Object>>) answer.json().get("results")).stream().map(r -> (String) r.get("jobId")).toList();

        Eventually.within(Duration.ofSeconds(15), "30 deliveries", () -> ids.stream().allMatch(id -> !provider.callsFor(id).isEmpty()));
        Thread.sleep(1500);

        for (int i = 0; i < ids.size(); i++) {
            List<Provider.Call> calls = provider.callsFor(ids.get(i));
            assertThat(calls).as("calls for job " + i).hasSize(1);
            assertThat(calls.getFirst().body()).isEqualTo("{\"n\":" + i + "}");
            assertThat(calls.getFirst().path()).isEqualTo("/api/ok");
        }
    }

    @Test
    void aPermanentFailureGoesToTheDeadLetterQueueAtOnceWithItsReason() {
        String jobId = submit("{\"target\":\"crm\",\"path\":\"/status/400\"}");

        Message dead = deadLetterOf(jobId);

        assertThat(provider.callsFor(jobId)).hasSize(1);
        assertThat(dead.messageAttributes().get("errand.reason").stringValue()).isEqualTo("HTTP 400: {\"status\":400}");
        assertThat(dead.messageAttributes().get("errand.attempts").stringValue()).isEqualTo("1");
    }

    @Test
    void aPersistent503EndsInTheDeadLetterQueueAfterMaxAttempts() {
        String jobId = submit("{\"target\":\"crm\",\"path\":\"/status/503\"}");

        Message dead = deadLetterOf(jobId);

        assertThat(provider.callsFor(jobId)).hasSize(3);
        assertThat(dead.messageAttributes().get("errand.reason").stringValue())
                .isEqualTo("gave up after 3 attempts; last: HTTP 503: {\"status\":503}");
        assertThat(dead.messageAttributes().get("errand.attempts").stringValue()).isEqualTo("3");
    }

    @Test
    void retriesFollowTheConfiguredSchedule() {
        String jobId = submit("{\"target\":\"crm\",\"path\":\"/flaky\"}");

        Eventually.within(Duration.ofSeconds(15), "a third call", () -> provider.callsFor(jobId).size() >= 3);

        List<Provider.Call> calls = provider.callsFor(jobId);
        Duration first = Duration.between(calls.get(0).at(), calls.get(1).at());
        Duration second = Duration.between(calls.get(1).at(), calls.get(2).at());
        // base 1 s, no jitter: the first gap is 1 s, the second 2 s (SQS counts whole seconds, polling adds a little)
        assertThat(first).isBetween(Duration.ofMillis(900), Duration.ofMillis(2500));
        assertThat(second).isBetween(Duration.ofMillis(1900), Duration.ofMillis(3500));
        assertThat(calls).extracting(Provider.Call::jobId).containsOnly(jobId);
    }

    @Test
    void retryAfterIsHonoured() {
        String jobId = submit("{\"target\":\"crm\",\"path\":\"/slow-down\"}");

        Eventually.within(Duration.ofSeconds(15), "a second call", () -> provider.callsFor(jobId).size() >= 2);

        List<Provider.Call> calls = provider.callsFor(jobId);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    private static int jobsQueueDepth() {
        return TestRuntime.depth(runtime, "JobsQueue");
    }

    @Test
    void aRefusedJobAnswersProblemJsonAndQueuesNothing() throws InterruptedException {
        Eventually.within(Duration.ofSeconds(20), "earlier tests' jobs to finish", () -> jobsQueueDepth() == 0);

        Api.Answer answer = api.post("/jobs", "{\"target\":\"billing\",\"path\":\"http://169.254.169.254/latest\"}");
        Thread.sleep(300);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
        assertThat(answer.body()).contains("\"pointer\":\"/target\"", "\"pointer\":\"/path\"");
        assertThat(jobsQueueDepth()).isZero();
    }

    @Test
    void anUnknownRouteIsNotFound() {
        assertThat(api.get("/nope").status()).isEqualTo(404);
        assertThat(api.delete("/jobs").status()).isEqualTo(404);
    }

    @Test
    void theRuntimeRunsWhatTheTemplateDeclares() {
        assertThat(runtime.queues()).containsOnlyKeys("JobsQueue", "DeadLetterQueue");
        Map<String, String> attributes = runtime.sqs().getQueueAttributes(b -> b.queueUrl(runtime.queue("JobsQueue").url())
                .attributeNamesWithStrings("All")).attributesAsStrings();
        // ElasticMQ does not report MessageRetentionPeriod; TemplateTest checks retention against the schedule
        assertThat(attributes).containsEntry("VisibilityTimeout", "60");
        assertThat(attributes.get("RedrivePolicy")).contains(runtime.queue("DeadLetterQueue").arn()).contains("\"maxReceiveCount\":3");
    }
}
