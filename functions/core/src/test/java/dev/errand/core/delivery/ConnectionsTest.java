package dev.errand.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.http.Lanes;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.target.HttpVersion;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.SilentServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * HTTPS the way the consumer calls providers: HTTP/2 when the provider offers it, HTTP/1.1 when it does not
 * or the target says so, many calls on one connection, and never a storm of handshakes from our own side.
 * Each test starts a fresh caller, so its first calls find no connection to reuse (a cold container).
 */
class ConnectionsTest {

    private static final Duration ENOUGH = Duration.ofSeconds(20);
    private static final Duration PROVIDER_LATENCY = Duration.ofMillis(300);

    private static OutgoingRequest request(Provider provider, int i, HttpVersion version) {
        return new OutgoingRequest(provider.url().resolve("/jobs/" + i), HttpMethod.POST, Map.of("Idempotency-Key", "job-" + i),
                Optional.of("{\"n\":" + i + "}"), version);
    }

    private static List<CallResult> all(HttpCaller caller, Provider provider, int n, HttpVersion version) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<CallResult>> running = IntStream.range(0, n)
                    .mapToObj(i -> threads.submit(() -> caller.call(request(provider, i, version), ENOUGH))).toList();
            List<CallResult> results = new ArrayList<>();
            for (Future<CallResult> f : running) {
                results.add(f.get());
            }
            return results;
        }
    }

    private static void allAnswered200(List<CallResult> results) {
        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(CallResult.Responded.class,
                answered -> assertThat(answered.status()).isEqualTo(200)));
    }

    @Test
    void speaksHttp2WhenTheProviderOffersItAndHttp11WhenTheTargetSaysSoOrTheProviderDoesNot() throws Exception {
        JdkHttpCaller caller = JdkHttpCaller.bounded();
        try (Provider both = Provider.start(call -> Reply.status(200));
             Provider http11 = Provider.start(Provider.Options.HTTPS.http11Only(), call -> Reply.status(200))) {
            allAnswered200(all(caller, both, 1, HttpVersion.AUTO));
            allAnswered200(all(caller, both, 1, HttpVersion.HTTP_1_1));
            allAnswered200(all(caller, http11, 1, HttpVersion.AUTO));

            assertThat(both.calls()).extracting(Provider.Call::protocol).containsExactly("HTTP/2.0", "HTTP/1.1");
            assertThat(http11.calls()).extracting(Provider.Call::protocol).containsExactly("HTTP/1.1");
        }
    }

    @Test
    void manyCallsShareOneHttp2ConnectionAndTheNextBatchOpensNone() throws Exception {
        JdkHttpCaller caller = JdkHttpCaller.bounded();
        try (Provider provider = Provider.start(call -> Reply.status(200).after(PROVIDER_LATENCY))) {
            allAnswered200(all(caller, provider, 90, HttpVersion.AUTO));
            long afterFirst = caller.connectionsOpened();
            allAnswered200(all(caller, provider, 90, HttpVersion.AUTO));

            assertThat(provider.calls()).hasSize(180).allSatisfy(c -> assertThat(c.protocol()).isEqualTo("HTTP/2.0"));
            // while the host's protocol is unknown up to 8 calls open connections; one is kept, and takes every other call
            assertThat(afterFirst).as("90 calls fit one connection's streams").isBetween(1L, 8L);
            assertThat(caller.connectionsOpened()).as("the warm batch opens none").isEqualTo(afterFirst);
            assertThat(provider.calls().subList(90, 180)).extracting(Provider.Call::protocol).containsOnly("HTTP/2.0");
        }
    }

    /**
     * The JDK client alone, at the server's concurrent-stream limit, fails the calls beyond it at once ("too many
     * concurrent streams") instead of waiting or opening another connection. The bounded caller learns the limit
     * and spreads the calls over more connections (lanes), each within it.
     */
    @Test
    void atTheServersStreamLimitTheJdkClientFailsCallsAndTheBoundedCallerSpreadsThem() throws Exception {
        try (Provider provider = Provider.start(Provider.Options.HTTPS.streams(10), call -> Reply.status(200).after(PROVIDER_LATENCY))) {
            HttpCaller alone = new JdkHttpCaller(JdkHttpCaller.defaultClient());
            allAnswered200(all(alone, provider, 1, HttpVersion.AUTO));
            List<CallResult> unbounded = all(alone, provider, 60, HttpVersion.AUTO);
            assertThat(unbounded).filteredOn(r -> r instanceof CallResult.NoResponse n && n.detail().equals("too many concurrent streams"))
                    .as("the JDK client's own behaviour at the limit").isNotEmpty();

            JdkHttpCaller bounded = JdkHttpCaller.bounded();
            List<CallResult> results = all(bounded, provider, 60, HttpVersion.AUTO);

            allAnswered200(results);
            // the first calls to a new host open up to 8 connections while its protocol is unknown; then 6 lanes carry 10 streams each
            assertThat(bounded.connectionsOpened()).isBetween(6L, 8L + Lanes.HTTP2_LANES);
        }
    }

    /** 300 calls at once to an HTTP/1.1-only host from a fresh caller: the JDK client alone starts about 300 handshakes together. */
    @Test
    void aColdBatchToAnHttp11HostNeverHasMoreThanTheBoundOfHandshakesInProgress() throws Exception {
        try (Provider unboundedProvider = Provider.start(Provider.Options.HTTPS.http11Only(), call -> Reply.status(200).after(PROVIDER_LATENCY));
             Provider boundedProvider = Provider.start(Provider.Options.HTTPS.http11Only(), call -> Reply.status(200).after(PROVIDER_LATENCY))) {
            allAnswered200(all(JdkHttpCaller.unbounded(), unboundedProvider, 300, HttpVersion.AUTO));
            JdkHttpCaller bounded = JdkHttpCaller.bounded();
            List<CallResult> results = all(bounded, boundedProvider, 300, HttpVersion.AUTO);

            allAnswered200(results);
            assertThat(unboundedProvider.peakHandshakes()).as("without the bound").isGreaterThan(50);
            // the server counts a handshake until our Finished reaches it, a moment after we count it done
            assertThat(boundedProvider.peakHandshakes()).as("with it").isLessThanOrEqualTo(2 * 8);
            assertThat(boundedProvider.connections()).isLessThanOrEqualTo(300);
        }
    }

    /** A refused connection never reaches a handshake: it must not hold a place in the bound, or a host that is down would stall. */
    @Test
    void callsToAHostThatRefusesConnectionsAreRefusedNotHeldBack() throws Exception {
        JdkHttpCaller bounded = JdkHttpCaller.bounded();
        OutgoingRequest request = new OutgoingRequest(java.net.URI.create("https://127.0.0.1:" + dev.errand.testkit.Ports.closed() + "/x"),
                HttpMethod.POST, Map.of(), Optional.empty());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 3; round++) {
                List<Future<CallResult>> calls = IntStream.range(0, 20).mapToObj(i -> threads.submit(() -> bounded.call(request, Duration.ofSeconds(3)))).toList();
                for (Future<CallResult> f : calls) {
                    assertThat(f.get()).isInstanceOfSatisfying(CallResult.NoResponse.class,
                            n -> assertThat(n.failure()).as(n.detail()).isEqualTo(CallResult.Failure.CONNECTION_REFUSED));
                }
            }
        }
    }

    /** Eight handshakes that never end fill the bound to this host, so a ninth call cannot get a connection. */
    @Test
    void aCallThatCannotGetAConnectionInTimeIsNotSentAndSaysSo() throws Exception {
        try (SilentServer silent = SilentServer.start(); ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            JdkHttpCaller bounded = JdkHttpCaller.bounded();
            OutgoingRequest request = new OutgoingRequest(silent.httpsUrl().resolve("/a"), HttpMethod.POST, Map.of(), Optional.empty());
            List<Future<CallResult>> hanging = IntStream.range(0, 8).mapToObj(i -> threads.submit(() -> bounded.call(request, Duration.ofSeconds(3)))).toList();
            Thread.sleep(300);

            CallResult squeezed = bounded.call(request, Duration.ofMillis(1500));

            assertThat(squeezed).isInstanceOfSatisfying(CallResult.NotSent.class,
                    n -> assertThat(n.detail()).startsWith("no connection to 127.0.0.1:" + silent.httpsUrl().getPort()));
            assertThat(squeezed.latency()).isLessThan(Duration.ofMillis(1500));
            for (Future<CallResult> f : hanging) {
                assertThat(f.get()).isInstanceOfSatisfying(CallResult.NoResponse.class, n -> assertThat(n.failure()).isEqualTo(CallResult.Failure.TIMEOUT));
            }
        }
    }

    /** BatchDelivery puts such a call off as its own doing: no retry reason blaming the provider, no breaker count. */
    @Test
    void aCallNotSentIsPutOffAndNotCountedAgainstTheProvider() throws Exception {
        try (SilentServer silent = SilentServer.start()) {
            var targets = ((dev.errand.core.target.Targets.Loaded.Ok) dev.errand.core.target.Targets.parse(
                    "{\"targets\":{\"p\":{\"baseUrl\":\"" + silent.httpsUrl() + "\",\"timeoutMs\":2500,\"breakerThreshold\":100}}}")).targets();
            java.time.Clock clock = java.time.Clock.systemUTC();
            BatchDelivery delivery = new BatchDelivery(targets, JdkHttpCaller.bounded(),
                    RetryPolicy.builder().jitter(() -> 1.0).build(),
                    new dev.errand.core.auth.SecretAuthenticator(dev.errand.core.auth.SecretSource.NONE),
                    new dev.errand.core.log.JsonLog(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), clock), clock, 1000);
            dev.errand.core.job.JobIds ids = new dev.errand.core.job.JobIds(clock, new java.util.SplittableRandom(3));
            List<IncomingMessage> messages = IntStream.range(0, 9).mapToObj(i -> new IncomingMessage("m-" + i,
                    dev.errand.core.job.Envelope.encode(new dev.errand.core.job.Job(ids.next(), new dev.errand.core.job.JobRequest("p",
                            HttpMethod.POST, "/x", Map.of(), Optional.empty(), 0), java.time.Instant.now(), 0)), 1)).toList();

            List<Settled> settled = delivery.deliver(messages, Deadline.after(clock, Duration.ofSeconds(20)));

            assertThat(settled).extracting(s -> s.outcome().getClass().getSimpleName()).containsOnly("Retry", "Deferred")
                    .filteredOn("Deferred"::equals).hasSize(1);
            assertThat(settled).filteredOn(s -> s.outcome() instanceof Outcome.Retry)
                    .allSatisfy(s -> assertThat(((Outcome.Retry) s.outcome()).reason()).startsWith("timed out"));
            assertThat(settled).filteredOn(s -> s.outcome() instanceof Outcome.Deferred)
                    .allSatisfy(s -> {
                        assertThat(((Outcome.Deferred) s.outcome()).reason()).startsWith("not sent: no connection to");
                        assertThat(s.callsMade()).as("records off: nothing claimed, no attempt used").isZero();
                    });
        }
    }
}
