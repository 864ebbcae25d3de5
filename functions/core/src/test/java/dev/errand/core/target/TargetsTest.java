package dev.errand.core.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TargetsTest {

    @Test
    void readsTargetsWithDefaultsAndAuth() {
        Targets targets = ((Targets.Loaded.Ok) Targets.parse("""
                {"targets": {
                  "crm": {"baseUrl": "https://crm.example.com/api/", "timeoutMs": 2500, "maxConcurrency": 4, "breakerThreshold": 3,
                          "auth": {"type": "bearer", "secret": "ssm:/errand/crm"}},
                  "mail": {"baseUrl": "https://mail.example.com", "auth": {"type": "basic", "username": "api", "secret": "secretsmanager:mail"}},
                  "demo": {"baseUrl": "http://127.0.0.1:3001", "allowInsecure": true}
                }}""")).targets();
        Target crm = targets.get("crm").orElseThrow();
        assertThat(crm.baseUrl()).isEqualTo(URI.create("https://crm.example.com/api"));
        assertThat(crm.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(crm.maxConcurrency()).isEqualTo(4);
        assertThat(crm.breakerThreshold()).isEqualTo(3);
        assertThat(crm.auth()).isEqualTo(new Auth.Bearer(new SecretRef(SecretRef.Store.SSM, "/errand/crm")));
        Target mail = targets.get("mail").orElseThrow();
        assertThat(mail.timeout()).isEqualTo(Duration.ofMillis(Targets.DEFAULT_TIMEOUT_MS));
        assertThat(mail.maxConcurrency()).isEqualTo(Targets.DEFAULT_MAX_CONCURRENCY);
        assertThat(mail.auth()).isEqualTo(new Auth.Basic("api", new SecretRef(SecretRef.Store.SECRETS_MANAGER, "mail")));
        assertThat(targets.get("demo").orElseThrow().auth()).isEqualTo(Auth.NONE);
    }

    @Test
    void namesEveryProblemInTheDocument() {
        var invalid = (Targets.Loaded.Invalid) Targets.parse("""
                {"targets": {
                  "plain": {"baseUrl": "http://crm.example.com"},
                  "bad url": {"baseUrl": "https://x"},
                  "nohost": {"baseUrl": "mailto:a@b"},
                  "odd": {"baseUrl": "https://x.example?q=1", "timeoutMs": 0, "maxConcurrency": 1.5, "colour": 1,
                          "auth": {"type": "bearer", "secret": "hunter2"}},
                  "kinds": {"baseUrl": "https://k.example", "allowInsecure": "yes", "auth": {"type": "oauth"}}
                }}""");
        assertThat(invalid.problems()).containsExactlyInAnyOrder(
                "targets.plain.baseUrl must use https; set \"allowInsecure\": true to allow http (local demos only)",
                "target name 'bad url' must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit",
                "targets.nohost.baseUrl must be an absolute http(s) URL with a host",
                "targets.odd.colour is not a known field (known: baseUrl, timeoutMs, maxConcurrency, breakerThreshold, allowInsecure, auth, httpVersion, signing, ratePerSecond, burst)",
                "targets.odd.baseUrl must not hold user information, a query or a fragment",
                "targets.odd.timeoutMs must be a whole number from 1 to 900000",
                "targets.odd.maxConcurrency must be a whole number from 1 to 1000",
                "targets.odd.auth.secret must be a reference such as \"ssm:/errand/crm-token\" or \"secretsmanager:crm-token\", never the secret itself",
                "targets.kinds.allowInsecure must be true or false",
                "targets.kinds.auth.type must be none, bearer, header, basic, oauth2, was 'oauth'");
    }

    @Test
    void readsOAuth2SigningAndTheHttpVersion() {
        Targets targets = ((Targets.Loaded.Ok) Targets.parse("""
                {"targets": {
                  "crm": {"baseUrl": "https://crm.example.com", "httpVersion": "1.1",
                          "auth": {"type": "oauth2", "tokenUrl": "https://auth.example.com/oauth/token/", "clientId": "errand",
                                   "secret": "ssm:/errand/crm-client", "scope": "contacts:write", "clientAuth": "post"}},
                  "hooks": {"baseUrl": "https://hooks.example.com", "signing": {"secrets": ["secretsmanager:hooks-new", "secretsmanager:hooks-old"]}}
                }}""")).targets();
        Target crm = targets.get("crm").orElseThrow();
        assertThat(crm.httpVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(crm.auth()).isEqualTo(new Auth.OAuth2(URI.create("https://auth.example.com/oauth/token/"), "errand",
                new SecretRef(SecretRef.Store.SSM, "/errand/crm-client"), java.util.Optional.of("contacts:write"), Auth.ClientAuth.POST));
        Target hooks = targets.get("hooks").orElseThrow();
        assertThat(hooks.httpVersion()).isEqualTo(HttpVersion.AUTO);
        assertThat(hooks.signing().secrets()).extracting(SecretRef::toString).containsExactly("secretsmanager:hooks-new", "secretsmanager:hooks-old");
        assertThat(targets.reservedHeaders("hooks")).containsExactlyInAnyOrder("webhook-id", "webhook-timestamp", "webhook-signature");
    }

    @Test
    void theTokenUrlFollowsTheBaseUrlRulesAndSigningTakesOnlyReferences() {
        var invalid = (Targets.Loaded.Invalid) Targets.parse("""
                {"targets": {
                  "crm": {"baseUrl": "https://crm.example.com", "httpVersion": "2",
                          "auth": {"type": "oauth2", "tokenUrl": "http://auth.example.com/token?x=1", "clientId": "", "secret": "s3cret"}},
                  "hooks": {"baseUrl": "https://hooks.example.com", "signing": {"secrets": ["whsec_abc"]}}
                }}""");
        assertThat(invalid.problems()).containsExactlyInAnyOrder(
                "targets.crm.httpVersion must be \"auto\" (HTTP/2 when the provider offers it) or \"1.1\"",
                "targets.crm.auth.tokenUrl must use https; set \"allowInsecure\": true to allow http (local demos only)",
                "targets.crm.auth.clientId is required for this auth type and must be a non-empty string",
                "targets.crm.auth.secret must be a reference such as \"ssm:/errand/crm-token\" or \"secretsmanager:crm-token\", never the secret itself",
                "targets.hooks.signing.secrets must hold only references such as \"secretsmanager:errand/webhook-key\", never the secret itself");
    }

    @Test
    void aRateLimitIsARatePerSecondWithABurstAndEachWrongOneIsNamed() {
        var ok = (Targets.Loaded.Ok) Targets.parse("""
                {"targets": {"mail": {"baseUrl": "https://m.example", "ratePerSecond": 2.5, "burst": 5},
                             "crm": {"baseUrl": "https://c.example"}}}""");
        assertThat(ok.targets().get("mail").orElseThrow().rateLimit()).contains(new RateLimit(2.5, 5));
        assertThat(ok.targets().get("crm").orElseThrow().rateLimit()).isEmpty();

        var invalid = (Targets.Loaded.Invalid) Targets.parse("""
                {"targets": {
                  "zero": {"baseUrl": "https://z.example", "ratePerSecond": 0, "burst": 1},
                  "negative": {"baseUrl": "https://n.example", "ratePerSecond": -3, "burst": 0},
                  "alone": {"baseUrl": "https://a.example", "ratePerSecond": 10},
                  "bucket": {"baseUrl": "https://b.example", "burst": 10}
                }}""");
        assertThat(invalid.problems()).containsExactlyInAnyOrder(
                "targets.zero.ratePerSecond must be a number above 0 and at most 500 (calls a second, fleet-wide)",
                "targets.negative.ratePerSecond must be a number above 0 and at most 500 (calls a second, fleet-wide)",
                "targets.negative.burst must be a whole number from 1 to 10000 (calls that may go at once)",
                "targets.alone.ratePerSecond needs a burst (the most calls that may go at once), such as \"burst\": 10",
                "targets.bucket.burst needs ratePerSecond: a burst is the size of a rate limit's bucket");
    }

    @Test
    void aTargetMadeInCodeIsCheckedAsADocumentWouldBe() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Target("crm", URI.create("https://crm.example.com"),
                        Duration.ofSeconds(5), 0, 5, false, Auth.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("target 'crm': maxConcurrency must be from 1 to 1000 (0 would stall every job), was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Target("crm", URI.create("http://crm.example.com"),
                        Duration.ZERO, 10, 0, false, Auth.NONE))
                .hasMessageContaining("baseUrl must use https unless allowInsecure is set")
                .hasMessageContaining("timeout must be from 1 ms")
                .hasMessageContaining("breakerThreshold must be from 1 to 100");
    }

    @Test
    void refusesADocumentWithoutTargets() {
        assertThat(Targets.parse("{}")).isInstanceOf(Targets.Loaded.Invalid.class);
        assertThat(Targets.parse("nope")).isInstanceOf(Targets.Loaded.Invalid.class);
    }

    @Test
    void anApiKeyHeaderIsReservedForItsTarget() {
        Targets targets = ((Targets.Loaded.Ok) Targets.parse("""
                {"targets": {"mail": {"baseUrl": "https://m.example", "auth": {"type": "header", "header": "X-Api-Key", "secret": "ssm:/k"}}}}""")).targets();
        assertThat(targets.reservedHeaders("mail")).containsExactly("x-api-key");
        assertThat(targets.refuse("mail")).isEmpty();
        assertThat(targets.refuse("crm")).contains("'crm' is not a configured target; configured targets: mail");
    }
}
