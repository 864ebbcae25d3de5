package dev.errand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The operator console as an operator uses it: {@code errand console} against the local runtime, driven in
 * headless Chromium (Debian's chromium, playwright-core from npm) by {@code src/test/browser/console.test.mjs}.
 * Screenshots of each page stay in {@code target/console-screenshots}. Where no browser is installed the test
 * is reported NOT RUN with the reason, except in CI (CI=true), where that is a failure: .ci/run installs both.
 */
class ConsoleBrowserTest extends WithLocalErrand {

    private static final Path BROWSER_TESTS = Path.of("src/test/browser").toAbsolutePath();
    private static final Path SCREENSHOTS = Path.of("target/console-screenshots").toAbsolutePath();
    private static final String CHROMIUM = Optional.ofNullable(System.getenv("ERRAND_CHROMIUM")).orElse("/usr/bin/chromium");
    /** A browser run takes seconds; this bounds one that hangs. */
    private static final Duration BROWSER_RUN = Duration.ofMinutes(2);
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/\\?token=[A-Za-z0-9_-]+");

    private static StopSignal stop;
    private static Thread console;
    private static String url;
    private static final StringWriter output = new StringWriter();

    @BeforeAll
    static void browserAndConsole() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            missing.add("Chromium at " + CHROMIUM + " (apt-get install chromium)");
        }
        if (!Files.isDirectory(BROWSER_TESTS.resolve("node_modules/playwright-core"))) {
            missing.add("playwright-core (npm ci in cli/src/test/browser)");
        }
        if (!missing.isEmpty()) {
            String why = "the browser tests need " + String.join(" and ", missing) + "; .ci/run installs both";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        stop = new StopSignal();
        PrintWriter out = new PrintWriter(output, true);
        console = Thread.ofPlatform().name("errand-console").start(() -> {
            CommandLine cli = Errand.commandLine(new Context(errand.env(), Clock.systemUTC(), stop, false));
            cli.setOut(out);
            cli.setErr(out);
            List<String> args = new ArrayList<>(List.of("console", "--metrics-every", "1"));
            args.addAll(errand.where());
            cli.execute(args.toArray(String[]::new));
        });
        LocalErrand.within(Duration.ofSeconds(30), "the console's link", () -> URL.matcher(output.toString()).find());
        Matcher link = URL.matcher(output.toString());
        link.find();
        url = link.group();
    }

    @AfterAll
    static void stopConsole() throws InterruptedException {
        if (stop != null) {
            stop.request();
            console.join(Duration.ofSeconds(30));
            assertThat(output.toString()).contains("Console stopped.");
        }
    }

    @Test
    void aJobThatFailedIsFoundAmongTheDeadLettersWithItsReasonRedrivenFromThePageAndSucceeds() throws Exception {
        errand.answer("/console/flaky", 503);
        String job = errand.submit("{\"target\":\"crm\",\"path\":\"/console/flaky\"}");
        LocalErrand.within(Duration.ofSeconds(20), "the job dead after its two attempts",
                () -> "dead".equals(errand.record(job).get("status")) && errand.peek(errand.deadLetterQueue()).size() == 1);
        errand.answer("/console/flaky", 200);

        Browser run = browser("redrive", Map.of("JOB_ID", job, "TARGET", "crm"));

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(errand.record(job)).containsEntry("status", "succeeded").containsEntry("attempts", 1);
        assertThat(errand.callsFor(job)).as("two calls that failed, one after the redrive").isEqualTo(3);
        assertThat(errand.depth(errand.deadLetterQueue())).isZero();
        assertThat(SCREENSHOTS.resolve("overview.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("dead-letters.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("job.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("targets.png")).isNotEmptyFile();
    }

    @Test
    void jobsForLaterAndFinishedOnesAreSearchedOnTheJobsPageAndCancelledFromTheirPageOnceConfirmed() throws Exception {
        Instant since = Instant.now().minusSeconds(60);
        String runAt = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString();
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            later.add(errand.submit("{\"target\":\"crm\",\"path\":\"/console/later-" + i + "\",\"runAt\":\"" + runAt + "\"}"));
        }
        String done = errand.submit("{\"target\":\"crm\",\"path\":\"/console/done\"}");
        LocalErrand.within(Duration.ofSeconds(20), "the job succeeded", () -> "succeeded".equals(errand.record(done).get("status")));

        Browser run = browser("jobs", Map.of("LATER_JOBS", String.join(",", later), "DONE_JOB", done, "TARGET", "crm",
                "SINCE", since.toString(), "API_URL", errand.runtime.apiUrl().toString().replaceFirst("/$", "")));

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(errand.record(later.getFirst())).as("cancelled from its page").containsEntry("status", "cancelled");
        assertThat(errand.record(later.get(1))).as("only opened").containsEntry("status", "scheduled");
        assertThat(errand.record(done)).containsEntry("status", "succeeded").containsEntry("attempts", 1);
        assertThat(errand.callsFor(later.getFirst())).isZero();
        assertThat(SCREENSHOTS.resolve("jobs.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("job-cancelled.png")).isNotEmptyFile();
        assertThat(errand.cli("cancel", later.get(1), later.get(2)).code()).as("the rest, so no later test finds them").isZero();
    }

    @Test
    void requestsWithoutTheTokenOrFromAnotherHostOrOriginAreRefusedAndNothingIsDone() throws Exception {
        String refused = errand.submit("{\"target\":\"crm\",\"path\":\"/status/400\"}");
        LocalErrand.within(Duration.ofSeconds(20), "dead-lettered", () -> errand.peek(errand.deadLetterQueue()).size() == 1);

        Browser run = browser("guard", Map.of());

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(errand.peek(errand.deadLetterQueue())).as("the dead letter is still there: nothing was redriven")
                .singleElement().satisfies(m -> assertThat(m.body()).contains(refused));
        assertThat(errand.callsFor(refused)).isEqualTo(1);
    }

    @Test
    void aTargetIsPausedAndResumedFromThePageAndTheFleetWideStateChangesWithIt() throws Exception {
        try (var dynamo = new dev.errand.aws.AwsClients(new dev.errand.aws.Env(errand.env())).dynamoDb()) {
            var table = new dev.errand.aws.DynamoDbTargetStates(dynamo, errand.runtime.table("TargetStateTable").orElseThrow(), Clock.systemUTC());
            try {
                Browser paused = browser("target-control", Map.of("TARGET", LocalErrand.PAUSED_TARGET, "PAUSE_REASON", "provider maintenance (browser test)"));

                assertThat(paused.code()).as(paused.output()).isZero();
                assertThat(pauseOf(table)).as("the table holds the pause made on the page").hasValueSatisfying(p -> {
                    assertThat(p.reason()).isEqualTo("provider maintenance (browser test)");
                    assertThat(p.by()).endsWith("(console)");
                    assertThat(p.until()).as("until resumed").isEmpty();
                });

                Browser resumed = browser("target-control", Map.of("TARGET", LocalErrand.PAUSED_TARGET));

                assertThat(resumed.code()).as(resumed.output()).isZero();
                assertThat(pauseOf(table)).as("the resume removed it").isEmpty();
                assertThat(SCREENSHOTS.resolve("target-paused.png")).isNotEmptyFile();
                assertThat(SCREENSHOTS.resolve("target-closed.png")).isNotEmptyFile();
            } finally {
                // the local Errand is shared: never leave a target paused
                table.resume(LocalErrand.PAUSED_TARGET);
            }
        }
    }

    private static java.util.Optional<dev.errand.core.fleet.TargetState.Pause> pauseOf(dev.errand.aws.DynamoDbTargetStates table) {
        return switch (table.read(java.util.Set.of(LocalErrand.PAUSED_TARGET))) {
            case dev.errand.core.fleet.TargetStates.Read.Found f -> Optional.ofNullable(f.states().get(LocalErrand.PAUSED_TARGET)).flatMap(s -> s.pause());
            case dev.errand.core.fleet.TargetStates.Read.Unavailable u -> throw new AssertionError("the target state table: " + u.reason());
        };
    }

    /** What a run of the browser script printed, and how it ended. */
    private record Browser(int code, String output) {}

    private static Browser browser(String scenario, Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile("console-browser-", ".log");
        ProcessBuilder node = new ProcessBuilder("node", "console.test.mjs").directory(BROWSER_TESTS.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        node.environment().putAll(env);
        node.environment().put("CONSOLE_URL", url);
        node.environment().put("SCENARIO", scenario);
        node.environment().put("SCREENSHOTS", SCREENSHOTS.toString());
        node.environment().put("CHROMIUM", CHROMIUM);
        Process process = node.start();
        boolean ended = process.waitFor(BROWSER_RUN.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String printed = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Browser(ended ? process.exitValue() : -1, printed + (ended ? "" : "\n(killed after " + BROWSER_RUN.toSeconds() + " s)"));
    }
}
