package dev.errand.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.log.JsonLog;
import dev.errand.testkit.ManualClock;
import dev.errand.testkit.Moto;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The targets document read from SSM (moto) and read again: on its interval, after a SnapStart restore, never worse. */
class TargetsLoaderTest {

    private static final String A = "{\"targets\":{\"a\":{\"baseUrl\":\"https://a.example.com\"}}}";
    private static final String B = "{\"targets\":{\"b\":{\"baseUrl\":\"https://b.example.com\"}}}";
    private static Moto moto;
    private static SsmClient ssm;

    @BeforeAll
    static void start() {
        moto = Moto.start();
        ssm = moto.ssm();
    }

    @AfterAll
    static void stop() {
        ssm.close();
        moto.close();
    }

    private static void put(String name, String document) {
        ssm.putParameter(b -> b.name(name).type(ParameterType.STRING).value(document).overwrite(true));
    }

    private static TargetsLoader loader(String name, ManualClock clock, ByteArrayOutputStream logs) {
        Map<String, String> env = new HashMap<>(moto.environment());
        env.put(Env.TARGETS_PARAMETER, name);
        env.put(Env.TARGETS_REFRESH_SECONDS, "60");
        return TargetsLoader.start(new Env(env), () -> ssm, clock, new JsonLog(new PrintStream(logs, true, StandardCharsets.UTF_8), clock));
    }

    @Test
    void readsTheParameterAgainOnceTheIntervalHasPassedAndAtOnceAfterARestore() {
        put("/t/refresh", A);
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
        TargetsLoader targets = loader("/t/refresh", clock, new ByteArrayOutputStream());
        put("/t/refresh", B);

        assertThat(targets.get().all()).containsOnlyKeys("a");
        clock.advance(Duration.ofSeconds(60));
        assertThat(targets.get().all()).as("re-read after TargetsRefreshSeconds").containsOnlyKeys("b");

        put("/t/refresh", A);
        targets.stale();
        assertThat(targets.get().all()).as("re-read at once after a SnapStart restore").containsOnlyKeys("a");
    }

    @Test
    void aDocumentThatTurnsInvalidKeepsTheLastGoodOneAndSaysSo() {
        put("/t/invalid", A);
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        TargetsLoader targets = loader("/t/invalid", clock, logs);
        put("/t/invalid", "{\"targets\":{\"a\":{\"baseUrl\":\"http://a.example.com\"}}}");
        clock.advance(Duration.ofSeconds(61));

        assertThat(targets.get().all()).containsOnlyKeys("a");
        assertThat(targets.get().get("a").orElseThrow().baseUrl().getScheme()).isEqualTo("https");
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("the targets document is invalid now; the last good one stays in use")
                .contains("must use https");
    }
}
