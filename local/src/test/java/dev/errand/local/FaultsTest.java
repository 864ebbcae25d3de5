package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.testkit.Ports;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import dev.errand.testkit.ResettingServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** Delivery through outages, end to end: nothing lost, nothing doubled by our fault, limits kept. */
class FaultsTest {

    /** What the provider did with one call. */
    enum Kind { OK, LOST_OK, ERROR_500, BUSY_503, THROTTLED_429, BAD_400, TIMEOUT }

    private static List<String> submitAll(Api api, List<String> jobs) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i += 100) {
            Api.Answer answer = api.post("/jobs/batch", "{\"jobs\":[" + String.join(",", jobs.subList(i, Math.min(jobs.size(), i + 100))) + "]}");
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> results = (List<Map<String, Object>>) answer.json().get("results");
            results.forEach(r -> ids.add((String) r.get("jobId")));
        }
        return ids;
    }

    private static Instant timestamp(String logLine) {
        return Instant.parse(logLine.replaceAll(".*\"timestamp\":\"([^\"]+)\".*", "$1"));
    }

    private static Map<String, Message> deadLettersByJob(LocalRuntime runtime) {
        return TestRuntime.drain(runtime, "DeadLetterQueue").stream()
                .collect(Collectors.toMap(m -> TestRuntime.attribute(m, "errand.jobId").orElseThrow(), m -> m));
    }

    @Test
    void twoThousandJobsThroughRandomFaultsAreEachDeliveredOrDeadLetteredNeverLost() throws Exception {
        ByteArrayOutputStream consumerLogs = new ByteArrayOutputStream();
        Map<String, List<Kind>> kinds = new ConcurrentHashMap<>();
        Random random = new Random(20261125);
        Kind[] menu = {Kind.OK, Kind.OK, Kind.OK, Kind.OK, Kind.OK, Kind.OK, Kind.OK, Kind.OK, Kind.OK, Kind.OK, Kind.OK,
                Kind.LOST_OK, Kind.ERROR_500, Kind.ERROR_500, Kind.BUSY_503, Kind.THROTTLED_429, Kind.BAD_400, Kind.BAD_400, Kind.TIMEOUT};
        try (Provider api = Provider.start(call -> {
                 Kind kind;
                 synchronized (random) {
                     kind = menu[random.nextInt(menu.length)];
                 }
                 kinds.computeIfAbsent(call.jobId(), k -> new CopyOnWriteArrayList<>()).add(kind);
                 return switch (kind) {
                     case OK -> Reply.status(200);
                     case LOST_OK -> Reply.status(200).after(Duration.ofMillis(1500));
                     case ERROR_500 -> Reply.status(500);
                     // no Retry-After: with one, each would hold the whole target (FleetControlTest covers that)
                     case BUSY_503 -> Reply.status(503);
                     case THROTTLED_429 -> Reply.status(429);
                     case BAD_400 -> Reply.status(400);
                     case TIMEOUT -> Reply.status(503).after(Duration.ofMillis(1500));
                 };
             });
             ResettingServer crashing = ResettingServer.start();
             LocalRuntime runtime = TestRuntime.start("""
                     {"targets":{
                       "api":{"baseUrl":"%s","allowInsecure":true,"timeoutMs":1000,"maxConcurrency":300,"breakerThreshold":100},
                       "crashing":{"baseUrl":"%s","allowInsecure":true,"breakerThreshold":100}
                     }}""".formatted(api.url(), crashing.url()),
                     // delivery semantics alone: job records (moto, a few hundred writes a second) would only slow it
                     Map.of("MaxAttempts", "4", "RetryBaseSeconds", "1", "RetryMaxSeconds", "2", "ConsumerTimeoutSeconds", "10",
                             "BatchSize", "100", "BatchingWindowSeconds", "1", "MaximumConcurrency", "5", "JobRecords", "Disabled"),
                     new PrintStream(consumerLogs, true, StandardCharsets.UTF_8))) {
            // 20 crashing jobs make 80 failed calls, under its breakerThreshold: each gets its attempts (a down target is the next test)
            List<String> jobs = IntStream.range(0, 2000)
                    .mapToObj(i -> "{\"target\":\"" + (i % 100 == 0 ? "crashing" : "api") + "\",\"path\":\"/j/" + i + "\",\"body\":{\"i\":" + i + "}}")
                    .toList();

            List<String> accepted = submitAll(new Api(runtime.apiUrl()), jobs);
            Eventually.within(Duration.ofSeconds(150), "the jobs queue to empty", () -> TestRuntime.depth(runtime, "JobsQueue") == 0);
            TestRuntime.pause(Duration.ofMillis(500));
            Map<String, Message> dead = deadLettersByJob(runtime);
            Map<String, Long> attemptsLogged = consumerLogs.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("\"message\":\"attempt\""))
                    .map(l -> l.replaceAll(".*\"jobId\":\"([^\"]+)\".*", "$1"))
                    .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
            Map<String, Long> deliveredSeen = consumerLogs.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("\"message\":\"attempt\"") && l.contains("\"outcome\":\"delivered\""))
                    .map(l -> l.replaceAll(".*\"jobId\":\"([^\"]+)\".*", "$1"))
                    .collect(Collectors.groupingBy(id -> id, Collectors.counting()));

            assertThat(accepted).hasSize(2000).doesNotHaveDuplicates();
            for (int i = 0; i < accepted.size(); i++) {
                String id = accepted.get(i);
                List<Kind> calls = kinds.getOrDefault(id, List.of());
                long seen = deliveredSeen.getOrDefault(id, 0L);
                boolean delivered = seen > 0;
                assertThat(seen).as("job %d: the consumer saw a 2xx at most once: %s", i, calls).isLessThanOrEqualTo(1);
                assertThat(delivered ^ dead.containsKey(id)).as("job %d (%s) is delivered or dead-lettered, not both: calls %s", i, id, calls).isTrue();
                if (delivered) {
                    // a 2xx the consumer did not see in time (lost on the wire) may be followed by another call; a seen one never is
                    assertThat(calls.getLast()).as("no call after job %d was delivered: %s", i, calls).isIn(Kind.OK, Kind.LOST_OK);
                } else {
                    Message letter = dead.get(id);
                    long made = attemptsLogged.getOrDefault(id, 0L);
                    long received = i % 100 == 0 ? crashing.callsFor(id) : calls.size();
                    assertThat(TestRuntime.attribute(letter, "errand.reason")).as("job %d's reason", i).isNotEmpty();
                    assertThat(TestRuntime.attribute(letter, "errand.attempts")).as("job %d's attempts are the calls it made", i)
                            .contains(String.valueOf(made));
                    // a call can time out before it reaches the provider: it still counts as made
                    assertThat(received).as("calls of job %d that reached the provider", i).isLessThanOrEqualTo(made);
                    if (i % 100 == 0 || calls.isEmpty() || calls.getLast() != Kind.BAD_400) {
                        assertThat(made).as("job %d gave up after exactly MaxAttempts calls: %s", i, calls).isEqualTo(4);
                    }
                }
            }
            assertThat(deliveredSeen.values().stream().mapToLong(Long::longValue).sum()).as("most jobs get through").isGreaterThan(1000);
            assertThat(dead.keySet()).isSubsetOf(accepted);
        }
    }

    @Test
    void aTargetThatIsDownGetsOneProbePerIntervalAndItsJobsEndInTheDeadLetterQueueWithinTheDeferralBound() {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (Provider healthy = Provider.start(call -> Reply.status(200));
             LocalRuntime runtime = TestRuntime.start("""
                     {"targets":{
                       "down":{"baseUrl":"http://127.0.0.1:%d","allowInsecure":true,"breakerThreshold":4},
                       "up":{"baseUrl":"%s","allowInsecure":true}
                     }}""".formatted(Ports.closed(), healthy.url()),
                     Map.of("MaxAttempts", "3", "RetryBaseSeconds", "1", "RetryMaxSeconds", "2", "ConsumerTimeoutSeconds", "10",
                             "BatchSize", "20", "BatchingWindowSeconds", "1", "JobRecords", "Disabled", "MaxDeferralSeconds", "60"),
                     new PrintStream(logs, true, StandardCharsets.UTF_8))) {
            List<String> jobs = IntStream.range(0, 20).mapToObj(i -> "{\"target\":\"" + (i % 2 == 0 ? "down" : "up") + "\"}").toList();

            List<String> ids = submitAll(new Api(runtime.apiUrl()), jobs);
            List<String> down = IntStream.range(0, 20).filter(i -> i % 2 == 0).mapToObj(ids::get).toList();
            List<String> up = IntStream.range(0, 20).filter(i -> i % 2 == 1).mapToObj(ids::get).toList();
            Eventually.within(Duration.ofSeconds(5), "the healthy target's jobs", () -> up.stream().allMatch(id -> !healthy.callsFor(id).isEmpty()));
            Map<String, Message> dead = new HashMap<>();
            // a job waits no longer than the 60 s bound and is dead-lettered then; one that made a probe call starts a new run
            Eventually.within(Duration.ofSeconds(180), "every job of the down target in the dead-letter queue", () -> {
                dead.putAll(deadLettersByJob(runtime));
                return dead.keySet().containsAll(down);
            });

            List<String> log = logs.toString(StandardCharsets.UTF_8).lines().toList();
            Instant opened = log.stream().filter(l -> l.contains("\"message\":\"circuit opened\"") && l.contains("\"target\":\"down\""))
                    .map(FaultsTest::timestamp).findFirst().orElseThrow();
            // the calls of the batch that opened the breaker were already in flight; after it the fleet sends one probe at a time
            List<Instant> probes = log.stream().filter(l -> l.contains("\"message\":\"attempt\"") && down.stream().anyMatch(l::contains))
                    .map(FaultsTest::timestamp).filter(at -> at.isAfter(opened.plusSeconds(1))).sorted().toList();
            assertThat(probes).as("probes while it stayed down").isNotEmpty();
            for (int i = 1; i < probes.size(); i++) {
                assertThat(Duration.between(probes.get(i - 1), probes.get(i))).as("one probe per interval (5 s less its jitter): " + probes)
                        .isGreaterThan(Duration.ofMillis(3900));
            }
            for (String id : down) {
                long attemptLines = log.stream().filter(l -> l.contains("\"message\":\"attempt\"") && l.contains(id)).count();
                String reason = TestRuntime.attribute(dead.get(id), "errand.reason").orElseThrow();
                assertThat(attemptLines).as("calls made for " + id + " (none: the breaker opened before its turn)").isBetween(0L, 3L);
                assertThat(TestRuntime.attribute(dead.get(id), "errand.attempts")).contains(String.valueOf(attemptLines));
                if (attemptLines == 3) {
                    assertThat(reason).startsWith("gave up after 3 attempts; last: connection refused");
                } else {
                    assertThat(reason).contains("longer than MaxDeferralSeconds (60 s); last put off because: circuit");
                }
            }
            assertThat(up).allSatisfy(id -> assertThat(healthy.callsFor(id)).hasSize(1));
        }
    }

    @Test
    void aHangingProviderNeverMakesTheBatchOutliveItsTimeoutSoFinishedJobsAreNotRedelivered() {
        Map<String, AtomicInteger> hangCalls = new ConcurrentHashMap<>();
        try (Provider provider = Provider.start(call -> call.path().equals("/hang")
                     && hangCalls.computeIfAbsent(call.jobId(), k -> new AtomicInteger()).incrementAndGet() == 1
                     ? Reply.status(200).after(Duration.ofSeconds(30)) : Reply.status(200));
             LocalRuntime runtime = TestRuntime.start("""
                     {"targets":{"p":{"baseUrl":"%s","allowInsecure":true,"timeoutMs":60000}}}""".formatted(provider.url()),
                     Map.of("ConsumerTimeoutSeconds", "5", "RetryBaseSeconds", "1", "RetryMaxSeconds", "2",
                             "BatchSize", "20", "BatchingWindowSeconds", "1"))) {
            List<String> ids = submitAll(new Api(runtime.apiUrl()), List.of("{\"target\":\"p\",\"path\":\"/hang\"}",
                    "{\"target\":\"p\",\"path\":\"/ok\"}", "{\"target\":\"p\",\"path\":\"/ok\"}", "{\"target\":\"p\",\"path\":\"/ok\"}",
                    "{\"target\":\"p\",\"path\":\"/ok\"}", "{\"target\":\"p\",\"path\":\"/ok\"}"));

            // a batch that ran past the 5 s timeout would keep all six for the 30 s visibility timeout
            Eventually.within(Duration.ofSeconds(12), "the hung job retried and the queue empty",
                    () -> provider.callsFor(ids.getFirst()).size() == 2 && TestRuntime.depth(runtime, "JobsQueue") == 0);

            assertThat(ids.subList(1, 6)).allSatisfy(id -> assertThat(provider.callsFor(id)).as("calls for a finished job").hasSize(1));
            List<Provider.Call> hung = provider.callsFor(ids.getFirst());
            assertThat(Duration.between(hung.get(0).at(), hung.get(1).at())).isLessThan(Duration.ofSeconds(8));
        }
    }
}
