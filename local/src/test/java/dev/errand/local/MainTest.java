package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** scripts/run-local.sh's options, as its JVM reads them. */
class MainTest {

    private record Run(int code, String output) {}

    private static Run main(String... args) throws IOException, InterruptedException {
        String classPath = Optional.ofNullable(System.getProperty("surefire.test.class.path")).orElseGet(() -> System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Main.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void helpPrintsTheOptionsAndSucceeds() throws Exception {
        Run help = main("--help");

        assertThat(help.code()).isZero();
        assertThat(help.output()).contains("usage: scripts/run-local.sh", "--json-logs", "--moto-port");
    }

    @Test
    void anUnknownOptionIsAMistake() throws Exception {
        Run wrong = main("--frobnicate");

        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.output()).contains("unknown option --frobnicate", "usage:");
    }

    @Test
    void theOptionsAreRead() {
        LocalRuntime.Options options = Main.parse(List.of("--json-logs", "--moto-port", "9525", "--api-port", "3200"),
                LocalRuntime.Options.defaults(Path.of("template.yaml")));

        assertThat(options.logFormat()).isEqualTo(dev.errand.local.logs.LocalConsole.Format.JSON);
        assertThat(options.motoPort()).isEqualTo(9525);
        assertThat(options.apiPort()).isEqualTo(3200);
        assertThat(options.metrics()).isTrue();
    }
}
