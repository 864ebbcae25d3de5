package dev.errand.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.auth.Authenticator.Credentials;
import dev.errand.core.auth.SecretSource.SecretValue;
import dev.errand.core.target.Auth;
import dev.errand.core.target.SecretRef;
import dev.errand.core.target.Target;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SecretAuthenticatorTest {

    private final AtomicReference<String> stored = new AtomicReference<>("tok-5f2e9c1a");
    private final SecretAuthenticator authenticator = new SecretAuthenticator(ref -> new SecretValue.Found(stored.get()));
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
    void redactsWholeSecretsAndATailCutFromOne() {
        sent();

        assertThat(authenticator.redact("you sent Bearer tok-5f2e9c1a, which is wrong")).isEqualTo("you sent Bearer ***, which is wrong");
        assertThat(authenticator.redact("cut at 1 KiB: Bearer tok-5f2e")).isEqualTo("cut at 1 KiB: Bearer ***");
        assertThat(authenticator.redact("ends in tok")).as("three characters are too common to mean a secret").isEqualTo("ends in tok");
    }
}
