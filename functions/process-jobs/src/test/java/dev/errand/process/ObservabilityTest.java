package dev.errand.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.aws.Env;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.json.Json;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Sqs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The consumer's output read as CloudWatch would: every line JSON, attempts with their fields, metrics as valid EMF. */
class ObservabilityTest {

    /** EMF's units (CloudWatch's StandardUnit values). */
    private static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
            "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
            "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
            "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None");

    @Test
    void everyLineIsJsonAttemptsCarryTheirFieldsAndMetricsAreValidEmf() {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(1));
        try (Sqs sqs = Sqs.start(); Provider provider = Provider.start(call -> Reply.status(Integer.parseInt(call.path().substring(1))))) {
            String jobs = sqs.createQueue("jobs", Map.of());
            String dead = sqs.createQueue("dead", Map.of());
            Map<String, String> env = new HashMap<>(sqs.environment());
            env.put(Env.JOBS_QUEUE_URL, jobs);
            env.put(Env.DEAD_LETTER_QUEUE_URL, dead);
            env.put(Env.TARGETS, "{\"targets\":{\"a\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"breakerThreshold\":100},"
                    + "\"b\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true}}}");
            ProcessJobsFunction function = new ProcessJobsFunction(new Env(env), () -> 1.0, new PrintStream(logs, true, StandardCharsets.UTF_8));
            // target a: 80 delivered, 80 retried (160 latencies: two EMF lines); target b: 80 dead-lettered
            List<String> bodies = IntStream.range(0, 240).mapToObj(i -> Envelope.encode(new Job(ids.next(), new JobRequest(
                    i % 3 == 2 ? "b" : "a", HttpMethod.POST, "/" + List.of(200, 503, 400).get(i % 3), Map.of(), Optional.empty(), 0),
                    Instant.now(), 0))).toList();

            function.handleRequest(Records.event(Records.viaQueue(sqs, jobs, bodies)), FixedContext.timeout(Duration.ofSeconds(30)));
        }

        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : logs.toString(StandardCharsets.UTF_8).lines().toList()) {
            assertThat(Json.parse(line)).as(line).isInstanceOf(Json.Parsed.Value.class);
            lines.add(tree(line));
        }
        List<Map<String, Object>> attempts = lines.stream().filter(l -> "attempt".equals(l.get("message"))).toList();
        assertThat(attempts).hasSize(240).allSatisfy(a -> assertThat(a)
                .containsKeys("timestamp", "level", "jobId", "target", "attempt", "outcome", "status", "latencyMs"));
        assertThat(attempts).filteredOn(a -> !"delivered".equals(a.get("outcome"))).allSatisfy(a -> assertThat(a).containsKey("error"));
        List<Map<String, Object>> emf = lines.stream().filter(l -> l.containsKey("_aws")).toList();
        assertThat(emf).isNotEmpty();
        for (Map<String, Object> line : emf) {
            assertThat(emfProblems(line)).as(line.toString()).isEmpty();
        }
        Map<String, Object> a = emf.stream().filter(l -> "a".equals(l.get("Target"))).findFirst().orElseThrow();
        assertThat(number(a, "Delivered")).isEqualTo(80);
        assertThat(number(a, "Retried")).isEqualTo(80);
        assertThat(number(a, "DeadLettered")).isZero();
        Map<String, Object> b = emf.stream().filter(l -> "b".equals(l.get("Target")) && l.containsKey("DeadLettered")).findFirst().orElseThrow();
        assertThat(number(b, "DeadLettered")).isEqualTo(80);
        assertThat(number(b, "Delivered")).isZero();
        List<Integer> latencies = emf.stream().filter(l -> "a".equals(l.get("Target")))
                .map(l -> ((List<?>) l.get("ProviderLatency")).size()).toList();
        assertThat(latencies).as("160 latencies of target a, split at EMF's 100 values per line").containsExactly(100, 60);
    }

    /** The required keys of the Embedded Metric Format specification, and that every reference resolves. */
    static List<String> emfProblems(Map<String, Object> line) {
        List<String> problems = new ArrayList<>();
        if (!(line.get("_aws") instanceof Map<?, ?> aws)) {
            return List.of("_aws must be an object");
        }
        if (!(aws.get("Timestamp") instanceof Number)) {
            problems.add("_aws.Timestamp must be a number of milliseconds");
        }
        if (!(aws.get("CloudWatchMetrics") instanceof List<?> directives) || directives.isEmpty()) {
            return List.of("_aws.CloudWatchMetrics must be a non-empty array");
        }
        for (Object d : directives) {
            Map<?, ?> directive = (Map<?, ?>) d;
            if (!(directive.get("Namespace") instanceof String ns) || ns.isEmpty() || ns.length() > 255) {
                problems.add("Namespace must be a string of 1 to 255 characters");
            }
            if (!(directive.get("Dimensions") instanceof List<?> sets)) {
                problems.add("Dimensions must be an array of dimension sets");
            } else {
                for (Object set : sets) {
                    for (Object name : (List<?>) set) {
                        if (!(line.get(String.valueOf(name)) instanceof String)) {
                            problems.add("dimension " + name + " must be a string member of the line");
                        }
                    }
                    if (((List<?>) set).size() > 30) {
                        problems.add("a dimension set holds at most 30 dimensions");
                    }
                }
            }
            if (!(directive.get("Metrics") instanceof List<?> metrics) || metrics.isEmpty() || metrics.size() > 100) {
                problems.add("Metrics must be an array of 1 to 100 definitions");
                continue;
            }
            for (Object m : metrics) {
                Map<?, ?> metric = (Map<?, ?>) m;
                Object value = line.get(String.valueOf(metric.get("Name")));
                boolean numbers = value instanceof Number
                        || value instanceof List<?> list && !list.isEmpty() && list.size() <= 100 && list.stream().allMatch(Number.class::isInstance);
                if (!numbers) {
                    problems.add("metric " + metric.get("Name") + " must be a number or 1 to 100 numbers in the line");
                }
                if (metric.containsKey("Unit") && !UNITS.contains(String.valueOf(metric.get("Unit")))) {
                    problems.add("metric " + metric.get("Name") + " has an unknown unit " + metric.get("Unit"));
                }
            }
        }
        return problems;
    }

    private static long number(Map<String, Object> line, String metric) {
        return ((Number) line.get(metric)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(String line) {
        return (Map<String, Object>) ((Json.Parsed.Value) Json.parse(line)).value();
    }
}
