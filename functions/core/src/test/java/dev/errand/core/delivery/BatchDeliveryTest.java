package dev.errand.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.auth.SecretAuthenticator;
import dev.errand.core.auth.SecretSource;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.log.JsonLog;
import dev.errand.core.target.Targets;
import dev.errand.testkit.Ports;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import dev.errand.testkit.ResettingServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchDeliveryTest {

    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(11));
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final List<AutoCloseable> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
    }

    private Provider provider(java.util.function.Function<Provider.Call, Reply> behaviour) {
        Provider p = Provider.start(behaviour);
        servers.add(p);
        return p;
    }

    private BatchDelivery delivery(String targetsJson, int maxAttempts) {
        return delivery(targetsJson, maxAttempts, JdkHttpCaller.bounded());
    }

    private BatchDelivery delivery(String targetsJson, int maxAttempts, HttpCaller caller) {
        Targets targets = ((Targets.Loaded.Ok) Targets.parse(targetsJson)).targets();
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(maxAttempts).baseDelay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(8)).jitter(() -> 1.0).build();
        return new BatchDelivery(targets, caller, policy, new SecretAuthenticator(SecretSource.NONE),
                new JsonLog(new PrintStream(logs, true, StandardCharsets.UTF_8), Clock.systemUTC()), Clock.systemUTC(), 1000);
    }

    private static String target(String name, URI url, String extra) {
        return "\"" + name + "\":{\"baseUrl\":\"" + url + "\",\"allowInsecure\":true" + extra + "}";
    }

    private static String targets(String... entries) {
        return "{\"targets\":{" + String.join(",", entries) + "}}";
    }

    private Job job(String target, String path) {
        return new Job(ids.next(), new JobRequest(target, HttpMethod.POST, path, Map.of(), Optional.of("{\"n\":1}"), 0),
                Instant.now(), 0);
    }

    private static IncomingMessage message(int i, Job job, int receives) {
        return new IncomingMessage("m-" + i, Envelope.encode(job), receives);
    }

    private static Deadline seconds(long s) {
        return Deadline.after(Clock.systemUTC(), Duration.ofSeconds(s));
    }

    @Test
    void aBatchOf1000WithMixedOutcomesSettlesEachRecordExactlyOnce() {
        Provider provider = provider(call -> switch (call.path()) {
            case "/ok" -> Reply.status(200);
            case "/bad" -> Reply.status(400).withBody("{\"error\":\"bad email\"}");
            case "/busy" -> Reply.status(503).withHeader("Retry-After", "7");
            default -> Reply.status(500);
        });
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), ",\"maxConcurrency\":1000,\"breakerThreshold\":100")), 5);
        String[] paths = {"/ok", "/bad", "/busy", "/ok"};
        List<IncomingMessage> batch = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            if (i % 97 == 0) {
                batch.add(new IncomingMessage("m-" + i, "{\"v\":1,\"garbage\":true}", 1));
                expected.add("Reject");
            } else if (i % 89 == 0) {
                batch.add(message(i, job("gone", "/ok"), 1));
                expected.add("Reject");
            } else {
                String path = paths[i % paths.length];
                batch.add(message(i, job("p", path), 1));
                expected.add(switch (path) {
                    case "/ok" -> "Delivered";
                    case "/bad" -> "Reject";
                    default -> "Retry";
                });
            }
        }

        List<Settled> settled = delivery.deliver(batch, seconds(60));

        assertThat(settled).hasSize(1000);
        assertThat(settled.stream().map(s -> s.message().messageId()).toList())
                .containsExactlyElementsOf(batch.stream().map(IncomingMessage::messageId).toList());
        assertThat(settled.stream().map(s -> s.outcome().getClass().getSimpleName()).toList()).containsExactlyElementsOf(expected);
        long called = expected.size() - settled.stream().filter(s -> s.status().isEmpty()).count();
        assertThat(provider.calls()).hasSize((int) called);
        assertThat(provider.calls()).allSatisfy(c -> assertThat(settled.stream()
                .anyMatch(s -> s.job().map(j -> j.id().value()).orElse("").equals(c.jobId()))).isTrue());
        assertThat(settled.stream().filter(s -> s.outcome() instanceof Outcome.Retry))
                .allSatisfy(s -> assertThat(((Outcome.Retry) s.outcome()).delay()).isEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void sendsTheJobAsAskedWithItsIdempotencyKey() {
        Provider provider = provider(call -> Reply.status(202));
        BatchDelivery delivery = delivery(targets(target("p", URI.create(provider.url() + "/v1"), "")), 3);
        Job job = new Job(ids.next(), new JobRequest("p", HttpMethod.PATCH, "/contacts/7?notify=1", Map.of("X-Trace", "abc"),
                Optional.of("{\"name\":\"Ada\"}"), 0), Instant.now(), 0);

        List<Settled> settled = delivery.deliver(List.of(message(0, job, 1)), seconds(10));

        assertThat(settled.getFirst().outcome()).isEqualTo(new Outcome.Delivered(202));
        Provider.Call call = provider.calls().getFirst();
        assertThat(call.method()).isEqualTo("PATCH");
        assertThat(call.path()).isEqualTo("/v1/contacts/7?notify=1");
        assertThat(call.body()).isEqualTo("{\"name\":\"Ada\"}");
        assertThat(call.header("Idempotency-Key")).contains(job.id().value());
        assertThat(call.header("X-Trace")).contains("abc");
        assertThat(call.header("Content-Type")).contains("application/json");
        assertThat(call.header("User-Agent")).contains(BatchDelivery.USER_AGENT);
    }

    @Test
    void theAttemptNumberIsCarriedCallsPlusReceives() {
        Provider provider = provider(call -> Reply.status(503));
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), "")), 5);
        Job job = job("p", "/x").withPriorAttempts(2);

        Settled third = delivery.deliver(List.of(message(0, job, 1)), seconds(10)).getFirst();
        Settled last = delivery.deliver(List.of(message(1, job, 3)), seconds(10)).getFirst();

        assertThat(third.callsMade()).isEqualTo(3);
        assertThat(third.outcome()).isEqualTo(new Outcome.Retry(Duration.ofSeconds(4), "HTTP 503: {\"status\":503}"));
        assertThat(last.callsMade()).isEqualTo(5);
        assertThat(last.outcome()).isEqualTo(new Outcome.Reject("gave up after 5 attempts; last: HTTP 503: {\"status\":503}", Outcome.Cause.EXHAUSTED, true));
    }

    @Test
    void callsATargetWithinItsConcurrencyCap() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Provider provider = provider(call -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            return Reply.status(200);
        });
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), ",\"maxConcurrency\":3")), 3);

        List<Settled> settled = delivery.deliver(IntStream.range(0, 15).mapToObj(i -> message(i, job("p", "/"), 1)).toList(), seconds(30));

        assertThat(settled).allSatisfy(s -> assertThat(s.outcome()).isInstanceOf(Outcome.Delivered.class));
        assertThat(most.get()).isEqualTo(3);
    }

    @Test
    void aTargetThatIsDownIsCalledAtMostItsBreakerThresholdWhileHealthyTargetsAreDelivered() {
        ResettingServer down = ResettingServer.start();
        servers.add(down);
        Provider healthy = provider(call -> Reply.status(200).after(Duration.ofMillis(20)));
        BatchDelivery delivery = delivery(targets(
                target("down", down.url(), ",\"breakerThreshold\":4,\"maxConcurrency\":100"),
                target("refused", URI.create("http://127.0.0.1:" + Ports.closed()), ",\"breakerThreshold\":4"),
                target("up", healthy.url(), "")), 8);
        List<IncomingMessage> batch = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            batch.add(message(i, job(List.of("down", "refused", "up").get(i % 3), "/x"), 1));
        }

        List<Settled> settled = delivery.deliver(batch, seconds(30));

        assertThat(down.connections()).isLessThanOrEqualTo(4);
        for (String name : List.of("down", "refused")) {
            List<Outcome> outcomes = settled.stream().filter(s -> s.job().orElseThrow().request().target().equals(name))
                    .map(Settled::outcome).toList();
            assertThat(outcomes.stream().filter(o -> o instanceof Outcome.Retry)).hasSizeLessThanOrEqualTo(4);
            assertThat(outcomes.stream().filter(o -> o instanceof Outcome.Deferred d && d.reason().startsWith("circuit open")))
                    .hasSizeGreaterThanOrEqualTo(46);
        }
        assertThat(healthy.calls()).hasSize(50);
        assertThat(settled.stream().filter(s -> s.job().orElseThrow().request().target().equals("up")))
                .allSatisfy(s -> assertThat(s.outcome()).isInstanceOf(Outcome.Delivered.class));
        assertThat(settled.stream().filter(s -> s.outcome() instanceof Outcome.Deferred))
                .allSatisfy(s -> assertThat(s.callsMade()).isZero());
    }

    @Test
    void aBatchAfterAGoodOneSkipsTheProbeAndABatchAfterFailuresProbesAgain() {
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger beforeFirstAnswer = new AtomicInteger();
        AtomicInteger status = new AtomicInteger(200);
        Provider provider = Provider.start(call -> {
            if (answered.get() == 0) {
                beforeFirstAnswer.incrementAndGet();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.incrementAndGet();
            return Reply.status(status.get());
        });
        servers.add(provider);
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), ",\"breakerThreshold\":2,\"maxConcurrency\":20")), 5);
        java.util.function.IntSupplier sendBatch = () -> {
            answered.set(0);
            beforeFirstAnswer.set(0);
            delivery.deliver(IntStream.range(0, 20).mapToObj(i -> message(i, job("p", "/"), 1)).toList(), seconds(30));
            return beforeFirstAnswer.get();
        };

        assertThat(sendBatch.getAsInt()).as("first batch: a probe of breakerThreshold calls").isEqualTo(2);
        assertThat(sendBatch.getAsInt()).as("the target just answered: the whole batch at once").isEqualTo(20);
        status.set(503);
        assertThat(sendBatch.getAsInt()).as("trusted, it fails: the calls already out, no more").isEqualTo(20);
        assertThat(answered.get()).as("breaker open after them").isEqualTo(20);
        assertThat(sendBatch.getAsInt()).as("after failures: a probe again").isEqualTo(2);
        assertThat(answered.get()).isEqualTo(2);
    }

    @Test
    void aHangingProviderCannotHoldTheBatchPastItsDeadline() {
        Provider provider = provider(call -> call.path().equals("/hang")
                ? Reply.status(200).after(Duration.ofSeconds(30)) : Reply.status(200));
        BatchDelivery delivery = delivery(targets(
                target("slow", provider.url(), ",\"maxConcurrency\":1,\"timeoutMs\":20000"),
                target("fast", provider.url(), "")), 5);
        List<IncomingMessage> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(message(i, job(i % 2 == 0 ? "slow" : "fast", i % 2 == 0 ? "/hang" : "/ok"), 1));
        }

        long start = System.nanoTime();
        List<Settled> settled = delivery.deliver(batch, seconds(3));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofMillis(4500));
        assertThat(settled.stream().filter(s -> s.job().orElseThrow().request().target().equals("fast")))
                .allSatisfy(s -> assertThat(s.outcome()).isInstanceOf(Outcome.Delivered.class));
        List<Outcome> slow = settled.stream().filter(s -> s.job().orElseThrow().request().target().equals("slow"))
                .map(Settled::outcome).toList();
        assertThat(slow.stream().filter(o -> o instanceof Outcome.Retry r && r.reason().startsWith("timed out"))).hasSize(1);
        assertThat(slow.stream().filter(o -> o instanceof Outcome.Deferred d && d.reason().contains("too little time"))).hasSize(2);
    }

    @Test
    void withTooLittleTimeLeftNothingIsStartedEvenWithFreeSlots() {
        Provider provider = provider(call -> Reply.status(200));
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), "")), 5);

        List<Settled> settled = delivery.deliver(IntStream.range(0, 5).mapToObj(i -> message(i, job("p", "/"), 2)).toList(),
                Deadline.after(Clock.systemUTC(), Duration.ofMillis(500)));

        assertThat(settled).allSatisfy(s -> {
            assertThat(s.outcome()).isInstanceOf(Outcome.Deferred.class);
            assertThat(s.callsMade()).as("a receive without a call is not an attempt").isEqualTo(1);
        });
        assertThat(provider.calls()).isEmpty();
    }

    @Test
    void aCallWithNoTimeLeftIsATimeoutNeverAPermanentFailure() {
        Provider provider = provider(call -> Reply.status(200));
        CallResult result = JdkHttpCaller.bounded().call(
                new OutgoingRequest(provider.url(), dev.errand.core.job.HttpMethod.POST, Map.of(), Optional.empty()), Duration.ZERO);

        assertThat(result).isInstanceOf(CallResult.NoResponse.class);
        assertThat(((CallResult.NoResponse) result).failure()).isEqualTo(CallResult.Failure.TIMEOUT);
        assertThat(OutcomeRules.classify(result, Instant.now())).isInstanceOf(Verdict.Transient.class);
    }

    @Test
    void aCrashInOneRecordLosesNoOther() {
        Provider provider = provider(call -> Reply.status(200));
        JdkHttpCaller real = JdkHttpCaller.bounded();
        HttpCaller crashing = (request, timeout) -> {
            if (request.uri().getPath().equals("/crash")) {
                throw new IllegalStateException("bug");
            }
            return real.call(request, timeout);
        };
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), ",\"breakerThreshold\":100")), 5, crashing);
        List<IncomingMessage> batch = IntStream.range(0, 200)
                .mapToObj(i -> message(i, job("p", i % 5 == 0 ? "/crash" : "/ok"), 1)).toList();

        List<Settled> settled = delivery.deliver(batch, seconds(30));

        assertThat(settled).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(settled.get(i).outcome()).as("record " + i)
                    .isInstanceOf(i % 5 == 0 ? Outcome.Retry.class : Outcome.Delivered.class);
        }
        assertThat(provider.calls()).hasSize(160);
    }

    @Test
    void logsOneStructuredLinePerAttempt() {
        Provider provider = provider(call -> Reply.status(500).withBody("x".repeat(3000)));
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), "")), 5);
        Job job = job("p", "/");

        delivery.deliver(List.of(message(0, job, 1)), seconds(10));

        String line = logs.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"attempt\"")).findFirst().orElseThrow();
        assertThat(line).contains("\"jobId\":\"" + job.id() + "\"", "\"target\":\"p\"", "\"attempt\":1", "\"outcome\":\"retry\"",
                "\"status\":500", "\"latencyMs\":", "\"retryInSeconds\":1");
        assertThat(line).contains("\"error\":\"" + "x".repeat(1024) + "\"").doesNotContain("x".repeat(1025));
    }

    @Test
    void aJobNotDueYetIsSentBackForTheRestOfItsWaitWithoutACallAnAttemptOrADeferralCounted() {
        Provider provider = provider(call -> Reply.status(200));
        BatchDelivery delivery = delivery(targets(target("p", provider.url(), "")), 3);
        Instant due = Instant.now().plusSeconds(3600);
        Job later = new Job(ids.next(), new JobRequest("p", HttpMethod.POST, "/later", Map.of(), Optional.empty(), 0, Optional.of(due),
                Optional.empty()), Instant.now(), 2);

        Settled settled = delivery.deliver(List.of(message(1, later, 1)), seconds(10)).getFirst();

        assertThat(provider.calls()).isEmpty();
        Outcome.Deferred back = (Outcome.Deferred) settled.outcome();
        assertThat(back.delay()).isBetween(Duration.ofSeconds(3590), Duration.ofSeconds(3600));
        assertThat(back.since()).as("a later deferral's bound starts at the due time").isEqualTo(due);
        assertThat(settled.callsMade()).as("the copy carries its calls, and this receive used none").isEqualTo(2);
        Job past = new Job(ids.next(), new JobRequest("p", HttpMethod.POST, "/past", Map.of(), Optional.empty(), 0,
                Optional.of(Instant.parse("2020-01-01T00:00:00Z")), Optional.empty()), Instant.now(), 0);
        assertThat(delivery.deliver(List.of(message(2, past, 1)), seconds(10)).getFirst().outcome()).isInstanceOf(Outcome.Delivered.class);
    }
}
