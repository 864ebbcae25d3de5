package dev.errand.submit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.aws.Env;
import dev.errand.testkit.Sqs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SnapStart priming (the CRaC beforeCheckpoint hook) warms the submit path without queueing anything. */
class PrimingTest {

    @Test
    void primingQueuesNothingAndTheFunctionStillWorks() {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (Sqs sqs = Sqs.start()) {
            String jobs = sqs.createQueue("jobs", Map.of());
            Map<String, String> env = new HashMap<>(sqs.environment());
            env.put(Env.JOBS_QUEUE_URL, jobs);
            env.put(Env.TARGETS, "{\"targets\":{\"crm\":{\"baseUrl\":\"https://crm.example.com\"}}}");
            SubmitJobFunction function = new SubmitJobFunction(new Env(env), new PrintStream(logs, true, StandardCharsets.UTF_8));

            function.prime();

            assertThat(sqs.depth(jobs)).isZero();
            assertThat(logs.toString(StandardCharsets.UTF_8)).as("no metric counts a primed job").isEmpty();
        }
    }
}
