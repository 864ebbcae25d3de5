package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scripts' shared library, run by bash as a user runs it. */
class ScriptsTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    /** With JAVA_TOOL_OPTIONS set every JVM first prints "Picked up JAVA_TOOL_OPTIONS: ...", which is not the version. */
    @Test
    void findsAJdk25WithJavaToolOptionsSet() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", ". scripts/lib.sh; errand_find_jdk; \"$JAVA_HOME/bin/java\" -version")
                .directory(REPOSITORY.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Dhttps.proxyHost=proxy.example.com -Dhttps.proxyPort=3128");
        Process script = builder.start();
        String out = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(script.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).as(out).isZero();
        assertThat(out).contains("Picked up JAVA_TOOL_OPTIONS", "version \"25");
    }
}
