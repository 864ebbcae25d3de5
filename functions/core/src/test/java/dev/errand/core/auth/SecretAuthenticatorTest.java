package dev.errand.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.auth.Authenticator.Credentials;
import dev.errand.core.auth.SecretSource.SecretValue;
import dev.errand.core.delivery.OutgoingRequest;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.target.Auth;
import dev.errand.core.target.HttpVersion;
import dev.errand.core.target.SecretRef;
import dev.errand.core.target.Signing;
import dev.errand.core.target.Target;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SecretAuthenticatorTest {

    private final AtomicReference<String> stored = new AtomicReference<>("tok-5f2e9c1a");
    private final TestClock clock = new TestClock();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicReference<Supplier<SecretValue>> answer = new AtomicReference<>(() -> new SecretValue.Found(stored.get()));
    /** Slow enough that every record of a batch asks while the first read is still out. */
    private final SecretSource source = ref -> {
        reads.incrementAndGet();
        sleep(Duration.ofMillis(100));
        return answer.get().get();
    };
    private final SecretAuthenticator authenticator = new SecretAuthenticator(source, () -> {
        throw new IllegalStateException("no token requests here");
    }, clock);
    private final Target crm = new Target("crm", URI.create("https://crm.example.com"), Duration.ofSeconds(5), 10, 5, false,
            new Auth.Bearer(new SecretRef(SecretRef.Store.SSM, "/errand/crm")));

    private Map<String, String> sent() {
        return ((Credentials.Ready) authenticator.credentials(crm)).headers();
    }

    @Test
    void everyCallThatSentTheOldSecretIsRetriedAfterARotationNotOnlyTheFirst() {
        Map<String, String> first = sent();
        Map<String, String> second = sent();
        stored.set("tok-rotated-77b1");

        assertThat(authenticator.refreshAfterUnauthorized(crm, first)).isTrue();
        assertThat(authenticator.refreshAfterUnauthorized(crm, second)).as("the cache was already refreshed by the first 401").isTrue();
        assertThat(authenticator.refreshAfterUnauthorized(crm, sent())).as("a 401 with the current secret is the provider's word").isFalse();
    }

    @Test
    void aBatchWithNoSecretCachedMakesOneReadNotOnePerRecord() throws Exception {
        List<Credentials> all = inParallel(200, () -> authenticator.credentials(crm));

        assertThat(all).allSatisfy(c -> assertThat(c).isInstanceOf(Credentials.Ready.class));
        assertThat(reads.get()).isEqualTo(1);
    }

    @Test
    void aBatchOf401sMakesOneReadNotOnePerRecord() throws Exception {
        Map<String, String> old = sent();
        stored.set("tok-rotated-77b1");
        reads.set(0);

        List<Boolean> refreshed = inParallel(200, () -> authenticator.refreshAfterUnauthorized(crm, old));

        assertThat(refreshed).containsOnly(true);
        assertThat(reads.get()).isEqualTo(1);
    }

    @Test
    void aPermanentFailureIsRefusedNamingTheReferenceAndKeptAMinute() throws Exception {
        answer.set(() -> new SecretValue.Refused("could not read ssm:/errand/crm (ParameterNotFound)"));

        List<Credentials> all = inParallel(100, () -> authenticator.credentials(crm));
        clock.advance(SecretAuthenticator.REFUSED_TTL.minusSeconds(1));
        authenticator.credentials(crm);
        clock.advance(Duration.ofSeconds(2));
        Credentials later = authenticator.credentials(crm);

        assertThat(all).containsOnly(new Credentials.Refused("could not read ssm:/errand/crm (ParameterNotFound)"));
        assertThat(later).isInstanceOf(Credentials.Refused.class);
        assertThat(reads.get()).as("one read for the batch and the minute, one after it").isEqualTo(2);
    }

    @Test
    void aPassingFailureIsUnavailableAndReadAgainAfterFiveSeconds() throws Exception {
        answer.set(() -> new SecretValue.Unavailable("could not read ssm:/errand/crm (ThrottlingException)"));

        List<Credentials> all = inParallel(100, () -> authenticator.credentials(crm));
        answer.set(() -> new SecretValue.Found(stored.get()));
        Credentials soon = authenticator.credentials(crm);
        clock.advance(SecretAuthenticator.UNAVAILABLE_TTL);
        Credentials after = authenticator.credentials(crm);

        assertThat(all).containsOnly(new Credentials.Unavailable("could not read ssm:/errand/crm (ThrottlingException)"));
        assertThat(soon).isInstanceOf(Credentials.Unavailable.class);
        assertThat(after).isInstanceOf(Credentials.Ready.class);
        assertThat(reads.get()).isEqualTo(2);
    }

    @Test
    void signsWithEveryKeyAtTheSendTimeAndRefusesAKeyThatIsNoKey() {
        SecretRef newKey = new SecretRef(SecretRef.Store.SECRETS_MANAGER, "hooks-new");
        SecretRef oldKey = new SecretRef(SecretRef.Store.SECRETS_MANAGER, "hooks-old");
        Map<SecretRef, String> keys = Map.of(newKey, "whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24=", oldKey, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        SecretAuthenticator signer = new SecretAuthenticator(ref -> keys.containsKey(ref) ? new SecretValue.Found(keys.get(ref))
                : new SecretValue.Found("not a key!"), () -> null, clock);
        Target hooks = new Target("hooks", URI.create("https://hooks.example.com"), Duration.ofSeconds(5), 10, 5, false, Auth.NONE,
                Optional.empty(), HttpVersion.AUTO, new Signing(List.of(newKey, oldKey)));
        OutgoingRequest request = new OutgoingRequest(URI.create("https://hooks.example.com/x"), HttpMethod.POST, Map.of(),
                Optional.of("{\"test\": 2432232314}"));

        assertThat(signer.credentials(hooks)).isEqualTo(new Credentials.Ready(Map.of()));
        OutgoingRequest signed = signer.signed(hooks, "msg_p5jXN8AQM9LWM0D4loKWxJek", request, Instant.ofEpochSecond(1614265330));

        assertThat(signed.headers()).containsEntry("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
                .containsEntry("webhook-timestamp", "1614265330");
        assertThat(signed.headers().get("webhook-signature").split(" ")).hasSize(2)
                .endsWith("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        Target broken = new Target("bad", hooks.baseUrl(), hooks.timeout(), 10, 5, false, Auth.NONE, Optional.empty(), HttpVersion.AUTO,
                new Signing(List.of(new SecretRef(SecretRef.Store.SSM, "/not-a-key"))));
        assertThat(signer.credentials(broken)).isEqualTo(new Credentials.Refused("signing key ssm:/not-a-key is not of the form whsec_<base64>"));
    }

    @Test
    void redactsWholeSecretsAndATailCutFromOne() {
        sent();

        assertThat(authenticator.redact("you sent Bearer tok-5f2e9c1a, which is wrong")).isEqualTo("you sent Bearer ***, which is wrong");
        assertThat(authenticator.redact("cut at 1 KiB: Bearer tok-5f2e")).isEqualTo("cut at 1 KiB: Bearer ***");
        assertThat(authenticator.redact("ends in tok")).as("three characters are too common to mean a secret").isEqualTo("ends in tok");
    }

    private static <T> List<T> inParallel(int n, java.util.concurrent.Callable<T> work) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> running = java.util.stream.IntStream.range(0, n).mapToObj(i -> threads.submit(work)).toList();
            List<T> results = new java.util.ArrayList<>();
            for (Future<T> f : running) {
                results.add(f.get());
            }
            return results;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
