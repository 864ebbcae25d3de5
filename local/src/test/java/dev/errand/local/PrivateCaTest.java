package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.testkit.Ports;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.TestCa;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider behind a private CA, reached as a user reaches one: the CA's trust store passed to the JVM in
 * JAVA_TOOL_OPTIONS, as for any Java program. The local runtime runs in a JVM of its own, which trusts
 * nothing of this test's JVM, and the target is plain https (no allowInsecure).
 */
class PrivateCaTest {

    @Test
    void theLocalRuntimeDeliversToAProviderWhosePrivateCaComesInJavaToolOptions(@TempDir Path dir) throws Exception {
        try (Provider provider = Provider.start(call -> Reply.status(200))) {
            int apiPort = Ports.closed();
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--api-port", String.valueOf(apiPort), "--sqs-port", String.valueOf(Ports.closed()), "--no-demo",
                    "--template", Path.of("../template.yaml").toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("runtime.log").toFile());
            builder.environment().put("ERRAND_TARGETS", "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\"}}}");
            builder.environment().put("JAVA_TOOL_OPTIONS", String.join(" ", TestCa.get().jvmOptions()));
            Process runtime = builder.start();
            try {
                Api api = new Api(URI.create("http://127.0.0.1:" + apiPort));
                Eventually.within(Duration.ofSeconds(60), "the local runtime's API answers", () -> answers(api));

                Api.Answer queued = api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/contacts\",\"body\":{\"n\":1}}");
                assertThat(queued.status()).isEqualTo(202);
                Eventually.within(Duration.ofSeconds(30), "the provider is called over TLS", () -> !provider.callsFor(queued.jobId()).isEmpty());

                assertThat(provider.callsFor(queued.jobId()).getFirst().protocol()).isEqualTo("HTTP/2.0");
                assertThat(Files.readString(dir.resolve("runtime.log"))).contains("Picked up JAVA_TOOL_OPTIONS")
                        .doesNotContain("PKIX");
            } finally {
                runtime.destroy();
                runtime.waitFor();
            }
        }
    }

    private static boolean answers(Api api) {
        try {
            return api.get("/jobs/nope").status() > 0;
        } catch (AssertionError e) {
            // not listening yet
            return false;
        }
    }
}
