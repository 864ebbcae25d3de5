package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.aws.AwsClients;
import dev.errand.aws.DynamoDbTargetStates;
import dev.errand.aws.Env;
import dev.errand.core.fleet.FleetControl;
import dev.errand.core.fleet.TargetState;
import dev.errand.core.fleet.TargetStates;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.testkit.CallTimes;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Fleet-wide target control end to end: the local runtime with several pollers, its TargetState table in
 * moto, a real HTTP provider counting calls on its own side. Job records are off, so a backlog is queued in
 * seconds (moto is the slow part of records).
 */
class FleetControlTest {

    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(29));

    private static String target(String name, Provider provider, String extra) {
        return "\"" + name + "\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true" + extra + "}";
    }

    private static Map<String, String> parameters(Map<String, String> more) {
        Map<String, String> p = new HashMap<>(Map.of("JobRecords", "Disabled", "MaxAttempts", "20", "RetryBaseSeconds", "2",
                "RetryMaxSeconds", "10", "ConsumerTimeoutSeconds", "30"));
        p.putAll(more);
        return p;
    }

    /** Puts jobs straight on the jobs queue, as the submit function would, ten to a call. */
    private List<Job> enqueue(LocalRuntime runtime, String target, String path, int count) {
        List<Job> jobs = IntStream.range(0, count).mapToObj(i -> new Job(ids.next(),
                new JobRequest(target, HttpMethod.POST, path, Map.of(), Optional.of("{\"n\":" + i + "}"), 0), Instant.now(), 0)).toList();
        String url = runtime.queue("JobsQueue").url();
        for (int i = 0; i < jobs.size(); i += 10) {
            List<Job> chunk = jobs.subList(i, Math.min(jobs.size(), i + 10));
            runtime.sqs().sendMessageBatch(b -> b.queueUrl(url).entries(IntStream.range(0, chunk.size())
                    .mapToObj(n -> SendMessageBatchRequestEntry.builder().id(String.valueOf(n)).messageBody(Envelope.encode(chunk.get(n)))
                            .messageGroupId(target).build()).toList()));
        }
        return jobs;
    }

    private static TargetStates states(LocalRuntime runtime) {
        DynamoDbClient dynamo = new AwsClients(new Env(runtime.awsEnvironment())).dynamoDb();
        return new DynamoDbTargetStates(dynamo, runtime.table("TargetStateTable").orElseThrow(), Clock.systemUTC());
    }

    private static TargetState state(TargetStates states, String target) {
        return ((TargetStates.Read.Found) states.read(Set.of(target))).states().getOrDefault(target, TargetState.fresh(target));
    }

    @Test
    void aDownTargetGetsOneProbePerIntervalWhileAHealthyOneStaysQuickThenItsBacklogDrainsAtItsRate() {
        AtomicBoolean down = new AtomicBoolean(true);
        Map<String, Instant> submitted = new ConcurrentHashMap<>();
        try (Provider provider = Provider.start(call -> call.path().equals("/down")
                ? (down.get() ? Reply.status(503) : Reply.status(200))
                : Reply.status(200).after(Duration.ofMillis(50)))) {
            String targets = "{\"targets\":{" + target("down", provider, ",\"ratePerSecond\":200,\"burst\":200,\"breakerThreshold\":5")
                    + "," + target("ok", provider, "") + "}}";
            try (LocalRuntime runtime = TestRuntime.start(targets, parameters(Map.of("MaximumConcurrency", "10")))) {
                TargetStates states = states(runtime);
                List<Job> backlog = enqueue(runtime, "down", "/down", 3000);
                Eventually.within(Duration.ofSeconds(30), "the breaker opens fleet-wide", () -> state(states, "down").open());
                Instant opened = Instant.now();
                // the backlog has been received once and put off until the next probe: the queue holds little that is visible
                Eventually.within(Duration.ofSeconds(60), "the backlog put off", () -> visible(runtime) < 200);

                Api api = new Api(runtime.apiUrl());
                for (int i = 0; i < 60; i++) {
                    Api.Answer answer = api.post("/jobs", "{\"target\":\"ok\",\"path\":\"/ok\"}");
                    submitted.put(answer.jobId(), Instant.now());
                    TestRuntime.pause(Duration.ofMillis(150));
                }
                Eventually.within(Duration.ofSeconds(20), "every healthy job delivered",
                        () -> submitted.keySet().stream().allMatch(id -> !provider.callsFor(id).isEmpty()));
                List<Long> latencies = submitted.entrySet().stream()
                        .map(e -> Duration.between(e.getValue(), provider.callsFor(e.getKey()).getFirst().at()).toMillis()).sorted().toList();
                Instant recovered = Instant.now();
                down.set(false);

                Set<String> backlogIds = backlog.stream().map(j -> j.id().value()).collect(Collectors.toSet());
                // the backlog comes back spread over the open interval it was put off for (at most 5 min; here under a minute)
                Eventually.within(Duration.ofSeconds(120), "the backlog drained", () -> provider.calls().stream()
                        .filter(c -> c.path().equals("/down") && !c.at().isBefore(recovered)).map(Provider.Call::jobId)
                        .collect(Collectors.toSet()).containsAll(backlogIds));

                List<Instant> probes = provider.calls().stream().filter(c -> c.path().equals("/down"))
                        .map(Provider.Call::at).filter(at -> at.isAfter(opened.plusSeconds(1)) && at.isBefore(recovered)).sorted().toList();
                for (int i = 1; i < probes.size(); i++) {
                    assertThat(Duration.between(probes.get(i - 1), probes.get(i)))
                            .as("one call per probe interval fleet-wide (at least 4 s: 5 s less its jitter)").isGreaterThan(Duration.ofMillis(3900));
                }
                assertThat(latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1)).as("healthy p99 (ms), sorted: " + latencies)
                        .isLessThan(2000);
                List<Instant> drain = provider.calls().stream().filter(c -> c.path().equals("/down") && c.at().isAfter(recovered))
                        .map(Provider.Call::at).toList();
                assertThat(CallTimes.busiestSecond(drain)).as("the drain never beats the rate limit plus its burst").isLessThanOrEqualTo(400);
                Map<String, Long> successes = provider.calls().stream().filter(c -> c.path().equals("/down") && !c.at().isBefore(recovered))
                        .collect(Collectors.groupingBy(Provider.Call::jobId, Collectors.counting()));
                assertThat(successes).as("every backlog job delivered").hasSize(3000);
                assertThat(successes.values()).as("none delivered twice").allMatch(n -> n == 1);
                assertThat(TestRuntime.drain(runtime, "DeadLetterQueue")).isEmpty();
            }
        }
    }

    private static int visible(LocalRuntime runtime) {
        return Integer.parseInt(runtime.sqs().getQueueAttributes(b -> b.queueUrl(runtime.queue("JobsQueue").url())
                .attributeNamesWithStrings("ApproximateNumberOfMessages")).attributesAsStrings().get("ApproximateNumberOfMessages"));
    }

    @Test
    void fourPollersKeepTheRateLimitTogether() {
        try (Provider provider = Provider.start(call -> Reply.status(200))) {
            String targets = "{\"targets\":{" + target("mail", provider, ",\"ratePerSecond\":20,\"burst\":20") + "}}";
            try (LocalRuntime runtime = TestRuntime.start(targets, parameters(Map.of("MaximumConcurrency", "4")))) {
                Instant start = Instant.now();
                List<Job> jobs = enqueue(runtime, "mail", "/send", 1000);
                Eventually.within(Duration.ofSeconds(120), "all 1,000 delivered",
                        () -> provider.calls().stream().map(Provider.Call::jobId).distinct().count() >= jobs.size());
                List<Instant> calls = provider.calls().stream().map(Provider.Call::at).toList();
                Duration took = Duration.between(start, calls.stream().max(Instant::compareTo).orElseThrow());

                assertThat(calls).hasSize(1000);
                assertThat(CallTimes.busiestSecond(calls)).as("no second beyond the rate plus the burst").isLessThanOrEqualTo(40);
                assertThat(took).as("about 1,000 / 20 seconds").isBetween(Duration.ofSeconds(45), Duration.ofSeconds(75));
            }
        }
    }

    @Test
    void aResumedTargetsBacklogDrainsAtItsRateAndNoFaster() {
        try (Provider provider = Provider.start(call -> Reply.status(200))) {
            String targets = "{\"targets\":{" + target("erp", provider, ",\"ratePerSecond\":5,\"burst\":5") + "}}";
            try (LocalRuntime runtime = TestRuntime.start(targets, parameters(Map.of("MaximumConcurrency", "4")))) {
                TargetStates states = states(runtime);
                // traffic before the pause, as a paused target has had: a cold container's first call can take a second
                List<Job> before = enqueue(runtime, "erp", "/before", 30);
                Eventually.within(Duration.ofSeconds(30), "the traffic before the pause delivered",
                        () -> before.stream().allMatch(j -> !provider.callsFor(j.id().value()).isEmpty()));
                states.pause("erp", Optional.empty(), "maintenance", "test");
                TestRuntime.pause(FleetControl.FRESH_FOR.plusMillis(500));
                Instant paused = Instant.now();
                List<Job> backlog = enqueue(runtime, "erp", "/queued-while-paused", 50);
                Eventually.within(Duration.ofSeconds(30), "the backlog put off", () -> visible(runtime) == 0);
                TestRuntime.pause(Duration.ofSeconds(3));
                assertThat(provider.calls().stream().filter(c -> c.at().isAfter(paused))).as("no call while paused").isEmpty();

                Instant resumed = Instant.now();
                states.resume("erp");
                Eventually.within(Duration.ofSeconds(60), "the backlog delivered",
                        () -> backlog.stream().allMatch(j -> !provider.callsFor(j.id().value()).isEmpty()));

                List<Instant> drain = provider.calls().stream().filter(c -> c.path().equals("/queued-while-paused"))
                        .map(Provider.Call::at).toList();
                assertThat(drain).as("each job once").hasSize(50);
                assertThat(drain).allMatch(at -> at.isAfter(resumed));
                assertThat(CallTimes.busiestSecond(drain)).as("no second beyond the rate plus the burst").isLessThanOrEqualTo(10);
                Instant first = drain.stream().min(Instant::compareTo).orElseThrow();
                Instant last = drain.stream().max(Instant::compareTo).orElseThrow();
                assertThat(Duration.between(first, last)).as("about (50 - burst) / 5 seconds").isGreaterThan(Duration.ofSeconds(8));
            }
        }
    }

    @Test
    void a429WithRetryAfterHoldsEveryJobOfItsTargetForThatLong() {
        AtomicBoolean first = new AtomicBoolean(true);
        try (Provider provider = Provider.start(call -> first.getAndSet(false)
                ? Reply.status(429).withHeader("Retry-After", "5") : Reply.status(200))) {
            String targets = "{\"targets\":{" + target("crm", provider, "") + "}}";
            try (LocalRuntime runtime = TestRuntime.start(targets, parameters(Map.of()))) {
                Api api = new Api(runtime.apiUrl());
                api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/first\"}");
                Eventually.within(Duration.ofSeconds(10), "the 429", () -> !provider.calls().isEmpty());
                Instant told = provider.calls().getFirst().at();
                // every invocation trusts its copy of the target's state for a second at most: past that, all know
                TestRuntime.pause(Duration.ofMillis(1500));
                List<String> others = IntStream.range(0, 10).mapToObj(i -> api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/next\"}").jobId())
                        .toList();
                Eventually.within(Duration.ofSeconds(20), "every job delivered",
                        () -> others.stream().allMatch(id -> !provider.callsFor(id).isEmpty()));

                Instant earliest = others.stream().map(id -> provider.callsFor(id).getFirst().at()).min(Instant::compareTo).orElseThrow();
                assertThat(Duration.between(told, earliest)).as("held for Retry-After: 5, fleet-wide").isGreaterThanOrEqualTo(Duration.ofMillis(4900));
            }
        }
    }

    @Test
    void withTheStateTableGoneDeliveryGoesOnUnderPerInvocationProtection() {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (Provider provider = Provider.start(call -> Reply.status(200))) {
            String targets = "{\"targets\":{" + target("crm", provider, ",\"ratePerSecond\":50,\"burst\":10") + "}}";
            try (LocalRuntime runtime = TestRuntime.start(targets, parameters(Map.of()), new PrintStream(logs, true, StandardCharsets.UTF_8))) {
                List<Job> before = enqueue(runtime, "crm", "/a", 100);
                Eventually.within(Duration.ofSeconds(30), "the first half delivered",
                        () -> before.stream().allMatch(j -> !provider.callsFor(j.id().value()).isEmpty()));

                runtime.stopMoto();
                List<Job> after = enqueue(runtime, "crm", "/b", 100);
                Eventually.within(Duration.ofSeconds(60), "the second half delivered without the table",
                        () -> after.stream().allMatch(j -> !provider.callsFor(j.id().value()).isEmpty()));

                assertThat(provider.calls()).hasSize(200);
                String log = logs.toString(StandardCharsets.UTF_8);
                assertThat(log).contains("target state unavailable: this invocation protects its targets on its own")
                        .contains("\"TargetStateUnavailable\"");
                assertThat(TestRuntime.drain(runtime, "DeadLetterQueue")).isEmpty();
            }
        }
    }
}
