package dev.errand.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.errand.aws.Env;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.testkit.Ports;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Sqs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

class ProcessJobsFunctionTest {

    private static Sqs sqs;
    private static Provider provider;
    private static String jobsQueue;
    private static String deadLetters;
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(5));
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        sqs = Sqs.start();
        jobsQueue = sqs.createQueue("jobs", Map.of("VisibilityTimeout", "60"));
        deadLetters = sqs.createQueue("jobs-dlq", Map.of());
        provider = Provider.start(ProcessJobsFunctionTest::answer);
    }

    @AfterAll
    static void stop() {
        provider.close();
        sqs.close();
    }

    @BeforeEach
    @AfterEach
    void emptyQueues() {
        sqs.client().purgeQueue(b -> b.queueUrl(jobsQueue));
        sqs.client().purgeQueue(b -> b.queueUrl(deadLetters));
    }

    /** The provider answers the status its path names: /status/503, /status/429 (with Retry-After), ... */
    private static Reply answer(Provider.Call call) {
        int status = Integer.parseInt(call.path().replaceAll("\\D", ""));
        Reply reply = Reply.status(status);
        return status == 429 ? reply.withHeader("Retry-After", "120") : reply;
    }

    private ProcessJobsFunction function(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(sqs.environment());
        env.put(Env.JOBS_QUEUE_URL, jobsQueue);
        env.put(Env.DEAD_LETTER_QUEUE_URL, deadLetters);
        env.put(Env.TARGETS, "{\"targets\":{\"demo\":{\"baseUrl\":\"" + provider.url()
                + "\",\"allowInsecure\":true,\"breakerThreshold\":100,\"maxConcurrency\":1000},"
                + "\"down\":{\"baseUrl\":\"http://127.0.0.1:" + Ports.closed() + "\",\"allowInsecure\":true,\"breakerThreshold\":2}}}");
        env.put(Env.MAX_ATTEMPTS, "3");
        env.put(Env.RETRY_BASE_SECONDS, "10");
        env.put(Env.RETRY_MAX_SECONDS, "40");
        env.putAll(more);
        return new ProcessJobsFunction(new Env(env), () -> 1.0, new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    private Job job(String target, String path) {
        return new Job(ids.next(), new JobRequest(target, HttpMethod.POST, path, Map.of(), Optional.of("{}"), 0), Instant.now(), 0);
    }

    private List<SQSEvent.SQSMessage> viaQueue(List<String> bodies) {
        return Records.viaQueue(sqs, jobsQueue, bodies);
    }

    private static SQSEvent event(List<SQSEvent.SQSMessage> records) {
        return Records.event(records);
    }

    private static List<String> failed(SQSBatchResponse response) {
        return Records.failed(response);
    }

    private static Map<String, String> attributes(Message m) {
        return m.messageAttributes().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stringValue()));
    }

    @Test
    void theSampleEventDeliversRetriesAndDeadLetters() {
        SQSEvent event = EventLoader.loadSQSEvent("../../events/process-jobs.json");

        SQSBatchResponse response = function(Map.of()).handleRequest(event, FixedContext.timeout(Duration.ofSeconds(30)));

        assertThat(failed(response)).containsExactly("5f0b6a2e-1c3d-4e5f-8a9b-000000000003");
        List<Message> dead = sqs.drain(deadLetters);
        assertThat(dead).hasSize(1);
        assertThat(dead.getFirst().body()).isEqualTo(event.getRecords().get(1).getBody());
        assertThat(attributes(dead.getFirst()))
                .containsEntry("errand.reason", "HTTP 400: {\"status\":400}")
                .containsEntry("errand.attempts", "1")
                .containsEntry("errand.jobId", "019ab2f0-5a00-7000-8000-000000000002")
                .containsEntry("errand.target", "demo")
                .containsEntry("errand.lastStatus", "400")
                .containsEntry("errand.sourceMessageId", "5f0b6a2e-1c3d-4e5f-8a9b-000000000002")
                .containsKey("errand.deadAt");
        assertThat(provider.callsFor("019ab2f0-5a00-7000-8000-000000000001")).hasSize(1)
                .allSatisfy(c -> assertThat(c.header("X-Request-Source")).contains("signup"));
    }

    @Test
    void aBatchOf1000ReportsExactlyItsRetryableFailures() {
        List<String> bodies = new ArrayList<>();
        Map<String, String> kindByBody = new HashMap<>();
        String[] paths = {"/status/200", "/status/400", "/status/503", "/status/204", "/status/429", "/status/404"};
        for (int i = 0; i < 1000; i++) {
            String body = i % 101 == 0 ? "garbage " + i
                    : i % 103 == 0 ? Envelope.encode(job("retired", "/status/200"))
                    : Envelope.encode(job("demo", paths[i % paths.length]));
            bodies.add(body);
            String path = i % 101 == 0 || i % 103 == 0 ? "dead" : paths[i % paths.length];
            kindByBody.put(body, switch (path) {
                case "/status/200", "/status/204" -> "delivered";
                case "/status/503", "/status/429" -> "retry";
                default -> "dead";
            });
        }
        List<SQSEvent.SQSMessage> records = viaQueue(bodies);

        SQSBatchResponse response = function(Map.of()).handleRequest(event(records), FixedContext.timeout(Duration.ofSeconds(60)));

        Set<String> expectedRetries = records.stream().filter(r -> kindByBody.get(r.getBody()).equals("retry"))
                .map(SQSEvent.SQSMessage::getMessageId).collect(Collectors.toSet());
        assertThat(failed(response)).hasSameSizeAs(expectedRetries).containsExactlyInAnyOrderElementsOf(expectedRetries);
        List<Message> dead = sqs.drain(deadLetters);
        Set<String> expectedDead = records.stream().filter(r -> kindByBody.get(r.getBody()).equals("dead"))
                .map(SQSEvent.SQSMessage::getBody).collect(Collectors.toSet());
        assertThat(dead.stream().map(Message::body).collect(Collectors.toSet())).isEqualTo(expectedDead);
        assertThat(dead).hasSize(expectedDead.size()).allSatisfy(m -> assertThat(attributes(m).get("errand.reason")).isNotBlank());
        assertThat(dead.stream().filter(m -> m.body().startsWith("garbage")))
                .allSatisfy(m -> assertThat(attributes(m).get("errand.reason")).startsWith("unreadable message: not JSON"));
        assertThat(dead.stream().filter(m -> m.body().contains("\"retired\"")))
                .allSatisfy(m -> assertThat(attributes(m).get("errand.reason")).isEqualTo("target 'retired' is not configured (any more)"));
        // the retried records were hidden for their backoff: none is visible now
        assertThat(sqs.drain(jobsQueue)).isEmpty();
    }

    @Test
    void deferredRecordsAreResentCarryingTheirCallCountAndAreNotReported() {
        List<SQSEvent.SQSMessage> records = viaQueue(java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> Envelope.encode(job("down", "/x").withPriorAttempts(1))).toList());

        SQSBatchResponse response = function(Map.of(Env.RETRY_BASE_SECONDS, "1")).handleRequest(event(records),
                FixedContext.timeout(Duration.ofSeconds(30)));

        assertThat(failed(response)).hasSize(2);
        String log = logs.toString(StandardCharsets.UTF_8);
        assertThat(log.lines().filter(l -> l.contains("circuit open"))).hasSize(8);
        Set<String> failedIds = new HashSet<>(failed(response));
        Set<String> resentJobs = records.stream().filter(r -> !failedIds.contains(r.getMessageId()))
                .map(r -> ((Envelope.Decoded.Readable) Envelope.decode(r.getBody())).job().id().value()).collect(Collectors.toSet());
        List<Message> resent = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (resent.size() < 8 && System.nanoTime() < until) {
            resent.addAll(sqs.drain(jobsQueue));
        }
        assertThat(resent).hasSize(8);
        assertThat(resent).allSatisfy(m -> {
            Job job = ((Envelope.Decoded.Readable) Envelope.decode(m.body())).job();
            assertThat(job.priorAttempts()).as("a skipped receive is not a call").isEqualTo(1);
            assertThat(resentJobs).contains(job.id().value());
        });
    }

    @Test
    void aJobIsDeadLetteredOnItsLastAttemptWithTheReason() {
        SQSEvent.SQSMessage record = viaQueue(List.of(Envelope.encode(job("demo", "/status/503").withPriorAttempts(1)))).getFirst();
        record.getAttributes().put("ApproximateReceiveCount", "2");

        SQSBatchResponse response = function(Map.of()).handleRequest(event(List.of(record)), FixedContext.timeout(Duration.ofSeconds(30)));

        assertThat(failed(response)).isEmpty();
        Message dead = sqs.drain(deadLetters).getFirst();
        assertThat(attributes(dead)).containsEntry("errand.attempts", "3")
                .containsEntry("errand.reason", "gave up after 3 attempts; last: HTTP 503: {\"status\":503}");
    }

    @Test
    void aDeadLetterStartsFromNoAttemptsInItsBodyAndCountsThemInItsAttributes() {
        SQSEvent.SQSMessage record = viaQueue(List.of(Envelope.encode(job("demo", "/status/503").withPriorAttempts(2)))).getFirst();

        function(Map.of()).handleRequest(event(List.of(record)), FixedContext.timeout(Duration.ofSeconds(30)));

        Message dead = sqs.drain(deadLetters).getFirst();
        assertThat(attributes(dead)).containsEntry("errand.attempts", "3");
        assertThat(((Envelope.Decoded.Readable) Envelope.decode(dead.body())).job().priorAttempts())
                .as("a redrive by any means, even StartMessageMoveTask, starts a fresh schedule").isZero();
    }

    @Test
    void aDeferredCopyOfARedrivenJobStaysMarkedRedriven() {
        List<SQSEvent.SQSMessage> records = viaQueue(java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> Envelope.encode(job("down", "/x"))).toList());
        records.forEach(r -> r.setMessageAttributes(Map.of("errand.reason", attribute("gave up after 3 attempts"))));

        function(Map.of(Env.RETRY_BASE_SECONDS, "1")).handleRequest(event(records), FixedContext.timeout(Duration.ofSeconds(30)));

        List<Message> resent = new ArrayList<>();
        for (long end = System.nanoTime() + Duration.ofSeconds(5).toNanos(); resent.size() < 4 && System.nanoTime() < end; ) {
            // the two called (and retried) originals come back too; the copies are the messages Errand sent
            sqs.drain(jobsQueue).stream().filter(m -> attributes(m).containsKey("errand.jobId")).forEach(resent::add);
        }
        assertThat(resent).hasSize(4).allSatisfy(m -> assertThat(attributes(m)).containsEntry("errand.redriven", "true"));
    }

    @Test
    void aReasonWithCharactersSqsRefusesStillReachesTheDeadLetterQueue() {
        provider.answer(call -> call.path().equals("/garbled") ? Reply.status(400).withBody("bad\u0000input\u0007 \uFFFE") : answer(call));
        try {
            SQSEvent.SQSMessage record = viaQueue(List.of(Envelope.encode(job("demo", "/garbled")))).getFirst();

            SQSBatchResponse response = function(Map.of()).handleRequest(event(List.of(record)), FixedContext.timeout(Duration.ofSeconds(30)));

            assertThat(failed(response)).isEmpty();
            assertThat(attributes(sqs.drain(deadLetters).getFirst())).containsEntry("errand.reason", "HTTP 400: bad?input? ?");
        } finally {
            provider.answer(ProcessJobsFunctionTest::answer);
        }
    }

    private static SQSEvent.MessageAttribute attribute(String value) {
        SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
        a.setDataType("String");
        a.setStringValue(value);
        return a;
    }

    @Test
    void whenTheDeadLetterQueueCannotTakeAMessageACopyCarryingItsVerdictTakesItsPlace() {
        Job rejected = job("demo", "/status/400");
        List<SQSEvent.SQSMessage> records = viaQueue(List.of(Envelope.encode(rejected), Envelope.encode(job("demo", "/status/200"))));

        SQSBatchResponse response = function(Map.of(Env.DEAD_LETTER_QUEUE_URL, deadLetters + "-gone"))
                .handleRequest(event(records), FixedContext.timeout(Duration.ofSeconds(30)));

        assertThat(failed(response)).isEmpty();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("dead-letter send failed; the job is held until it can be dead-lettered");
        List<Message> copies = new ArrayList<>();
        for (long end = System.nanoTime() + Duration.ofSeconds(5).toNanos(); copies.isEmpty() && System.nanoTime() < end; ) {
            copies.addAll(sqs.drain(jobsQueue));
        }
        Job copy = ((Envelope.Decoded.Readable) Envelope.decode(copies.getFirst().body())).job();
        assertThat(copy.id()).isEqualTo(rejected.id());
        assertThat(copy.verdict()).contains(new Job.FinalVerdict("HTTP 400: {\"status\":400}", false));
        assertThat(copy.priorAttempts()).isEqualTo(1);
    }

    @Test
    void aSlowProviderCannotMakeTheBatchOutliveTheLambdaTimeout() {
        provider.answer(call -> call.path().equals("/hang") ? Reply.status(200).after(Duration.ofSeconds(20)) : answer(call));
        try {
            List<SQSEvent.SQSMessage> records = viaQueue(List.of(Envelope.encode(job("demo", "/hang")),
                    Envelope.encode(job("demo", "/status/200")), Envelope.encode(job("demo", "/hang"))));

            long start = System.nanoTime();
            SQSBatchResponse response = function(Map.of()).handleRequest(event(records), FixedContext.timeout(Duration.ofSeconds(4)));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            Set<String> hanging = records.stream().filter(r -> r.getBody().contains("/hang"))
                    .map(SQSEvent.SQSMessage::getMessageId).collect(Collectors.toSet());
            assertThat(failed(response)).containsExactlyInAnyOrderElementsOf(hanging);
        } finally {
            provider.answer(ProcessJobsFunctionTest::answer);
        }
    }
}
