package dev.errand.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.fleet.TargetState;
import dev.errand.core.fleet.TargetStates;
import dev.errand.core.target.RateLimit;
import dev.errand.testkit.Moto;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The fleet's races against DynamoDB as moto serves it: many invocations at once, one winner each time. */
class DynamoDbTargetStatesTest {

    private static Moto moto;
    private static DynamoDbClient dynamo;
    private TargetStates states;

    @BeforeAll
    static void start() {
        moto = Moto.start();
        dynamo = moto.dynamoDb();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        moto.close();
    }

    @BeforeEach
    void table() {
        moto.reset();
        dynamo.createTable(b -> b.tableName("targets").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("target").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("target").keyType(KeyType.HASH)));
        states = new DynamoDbTargetStates(dynamo, "targets", Clock.systemUTC());
    }

    private static <T> List<T> atOnce(int n, Supplier<T> race) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> running = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                running.add(threads.submit(race::get));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : running) {
                results.add(f.get());
            }
            return results;
        }
    }

    private TargetState read(String target) {
        return ((TargetStates.Read.Found) states.read(Set.of(target))).states().getOrDefault(target, TargetState.fresh(target));
    }

    @Test
    void failuresAreCountedAcrossInvocationsAndOneOfTwentyOpensTheBreaker() throws Exception {
        List<TargetStates.Counted> counts = atOnce(12, () -> states.countFailure("crm"));
        assertThat(counts).extracting(c -> ((TargetStates.Counted.Count) c).failures()).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.rangeClosed(1, 12).boxed().toList());

        Instant probeAt = Instant.now().plusSeconds(5);
        List<TargetStates.Race> opens = atOnce(20, () -> states.open("crm", probeAt, Duration.ofSeconds(5)));

        assertThat(opens).filteredOn(TargetStates.Race.Won.class::isInstance).hasSize(1);
        assertThat(opens).filteredOn(TargetStates.Race.Lost.class::isInstance).hasSize(19)
                .allSatisfy(r -> assertThat(((TargetStates.Race.Lost) r).now().open()).isTrue());
        TargetState open = read("crm");
        assertThat(open.open()).isTrue();
        assertThat(open.failures()).isEqualTo(12);
        assertThat(open.nextProbeAt()).contains(Instant.ofEpochMilli(probeAt.toEpochMilli()));
    }

    @Test
    void oneInvocationWinsEachProbeAndOnlyItMayAnswerIt() throws Exception {
        states.open("crm", Instant.now().minusMillis(1), Duration.ofSeconds(5));
        assertThat(states.takeProbe("other", "x", Instant.now().plusSeconds(10))).as("a closed target has no probe")
                .isInstanceOf(TargetStates.Race.Lost.class);

        List<TargetStates.Race> probes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String holder = "invocation-" + i;
            probes.addAll(atOnce(1, () -> states.takeProbe("crm", holder, Instant.now().plusSeconds(10))));
        }
        List<TargetStates.Race> racing = atOnce(20, () -> states.takeProbe("crm", "late", Instant.now().plusSeconds(10)));

        assertThat(probes).filteredOn(TargetStates.Race.Won.class::isInstance).hasSize(1);
        assertThat(racing).allMatch(TargetStates.Race.Lost.class::isInstance);
        assertThat(states.probed("crm", "invocation-5", true, Instant.now(), Duration.ZERO)).as("not the holder")
                .isInstanceOf(TargetStates.Write.Stale.class);
        assertThat(states.probed("crm", "invocation-0", false, Instant.now().plusSeconds(10), Duration.ofSeconds(10)))
                .isInstanceOf(TargetStates.Write.Done.class);
        TargetState again = read("crm");
        assertThat(again.open()).isTrue();
        assertThat(again.probe()).isEmpty();
        assertThat(again.interval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aProbeWhoseHolderDiedIsTakenAgainOnceItsLeaseRunsOut() throws Exception {
        states.open("crm", Instant.now().minusMillis(1), Duration.ofSeconds(5));
        assertThat(states.takeProbe("crm", "died", Instant.now().plusMillis(300))).isInstanceOf(TargetStates.Race.Won.class);
        assertThat(states.takeProbe("crm", "next", Instant.now().plusSeconds(10))).isInstanceOf(TargetStates.Race.Lost.class);
        Thread.sleep(400);
        assertThat(states.takeProbe("crm", "next", Instant.now().plusSeconds(10))).isInstanceOf(TargetStates.Race.Won.class);
        assertThat(states.probed("crm", "next", true, Instant.now(), Duration.ZERO)).isInstanceOf(TargetStates.Write.Done.class);
        assertThat(read("crm").open()).isFalse();
        assertThat(read("crm").failures()).isZero();
    }

    @Test
    void invocationsTakingTokensAtOnceNeverGetMoreThanTheBucketHolds() throws Exception {
        RateLimit slow = new RateLimit(0.001, 20);
        Instant now = Instant.now();
        List<TargetStates.Tokens> grants = atOnce(10, () -> states.takeTokens("mail", slow, 5, Optional.empty(), now));

        int granted = grants.stream().mapToInt(g -> ((TargetStates.Tokens.Granted) g).granted()).sum();
        assertThat(granted).as("a full bucket: the burst less its arrival allowance").isEqualTo(slow.tokensAtOnce());
        assertThat(read("mail").bucket()).hasValueSatisfying(b -> assertThat(b.available(slow, now)).isZero());
    }

    @Test
    void aHoldIsExtendedNeverShortenedAndAPauseLastsUntilResumed() {
        Instant later = Instant.now().plusSeconds(60);
        states.hold("crm", later, "HTTP 429");
        states.hold("crm", Instant.now().plusSeconds(5), "HTTP 429 again");
        assertThat(read("crm").hold()).map(TargetState.Hold::until).contains(Instant.ofEpochMilli(later.toEpochMilli()));

        states.pause("crm", Optional.empty(), "provider maintenance", "arn:aws:iam::1:user/ops");
        TargetState paused = read("crm");
        assertThat(paused.shown(Instant.now())).isEqualTo("paused");
        assertThat(paused.pause()).hasValueSatisfying(p -> {
            assertThat(p.by()).isEqualTo("arn:aws:iam::1:user/ops");
            assertThat(p.reason()).isEqualTo("provider maintenance");
            assertThat(p.until()).isEmpty();
        });
        states.resume("crm");
        assertThat(read("crm").pause()).isEmpty();
    }

    @Test
    void anUnreachableTableSaysSoInsteadOfThrowing() {
        Map<String, String> env = Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "x", "AWS_SECRET_ACCESS_KEY", "x",
                "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:" + dev.errand.testkit.Ports.closed());
        TargetStates down = new DynamoDbTargetStates(new AwsClients(new Env(env)).dynamoDb(), "targets", Clock.systemUTC());
        assertThat(down.read(Set.of("crm"))).isInstanceOf(TargetStates.Read.Unavailable.class);
        assertThat(down.countFailure("crm")).isInstanceOf(TargetStates.Counted.Unavailable.class);
        assertThat(down.takeTokens("crm", new RateLimit(1, 1), 1, Optional.empty(), Instant.now())).isInstanceOf(TargetStates.Tokens.Unavailable.class);
    }
}
