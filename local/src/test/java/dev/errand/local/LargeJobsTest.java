package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.job.Envelope;
import dev.errand.core.job.MessageBudget;
import dev.errand.core.json.Json;
import dev.errand.core.validation.HeaderRules;
import dev.errand.core.validation.PathRules;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The largest job the API accepts, at every limit at once: a body of MaxBodyBytes (the template's default), 50
 * headers holding the most text allowed in the characters that take the most room in the envelope, the
 * longest path and target name. It fits one SQS message on the jobs queue and in the dead-letter queue, and
 * reaches the provider byte for byte.
 */
class LargeJobsTest {

    private static final String TARGET = "t" + "x".repeat(63);

    /** Names X-H00 to X-H49, values of quotes (2 bytes each in the envelope), all together at the limit. */
    private static Map<String, String> fullHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        int names = HeaderRules.MAX_HEADERS * "X-H00".length();
        int values = HeaderRules.MAX_TOTAL_CHARS - names;
        for (int i = 0; i < HeaderRules.MAX_HEADERS; i++) {
            int length = values / HeaderRules.MAX_HEADERS + (i < values % HeaderRules.MAX_HEADERS ? 1 : 0);
            headers.put("X-H%02d".formatted(i), "\"".repeat(length));
        }
        return headers;
    }

    private static String job(char pathLetter, int bodyBytes) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("target", TARGET);
        job.put("method", "DELETE");
        job.put("path", "/" + String.valueOf(pathLetter).repeat(PathRules.MAX_LENGTH - 1));
        job.put("headers", fullHeaders());
        job.put("body", "a".repeat(bodyBytes - 2));
        return Json.write(job);
    }

    @Test
    void theLargestJobFitsTheQueueAndTheDeadLetterQueueAndReachesTheProviderByteForByte() {
        try (Provider provider = Provider.start(call -> call.path().startsWith("/b") ? Reply.status(400) : Reply.status(200));
             LocalRuntime runtime = TestRuntime.start("{\"targets\":{\"" + TARGET + "\":{\"baseUrl\":\"" + provider.url() + "\"}}}",
                     Map.of("JobRecords", "Disabled"))) {
            Api api = new Api(runtime.apiUrl());
            int largest = MessageBudget.LARGEST_BODY_BYTES;

            Api.Answer delivered = api.post("/jobs", job('a', largest));
            Api.Answer refused = api.post("/jobs", job('b', largest));
            Api.Answer tooLarge = api.post("/jobs", job('c', largest + 1));

            assertThat(delivered.status()).as(delivered.body()).isEqualTo(202);
            assertThat(refused.status()).as(refused.body()).isEqualTo(202);
            assertThat(tooLarge.status()).isEqualTo(400);
            assertThat(tooLarge.body()).contains("\"pointer\":\"/body\"", "is " + (largest + 1) + " bytes as JSON; the limit is " + largest);
            Eventually.within(Duration.ofSeconds(60), "both jobs are called", () -> provider.calls().size() == 2);
            Provider.Call call = provider.callsFor(delivered.jobId()).getFirst();
            assertThat(call.body()).isEqualTo("\"" + "a".repeat(largest - 2) + "\"");
            assertThat(call.method()).isEqualTo("DELETE");
            fullHeaders().forEach((name, value) -> assertThat(call.header(name)).contains(value));

            List<Message> dead = waitForDeadLetter(runtime);
            assertThat(dead).hasSize(1);
            var job = ((Envelope.Decoded.Readable) Envelope.decode(dead.getFirst().body())).job();
            assertThat(job.id().value()).isEqualTo(refused.jobId());
            assertThat(job.request().body()).contains("\"" + "a".repeat(largest - 2) + "\"");
            assertThat(job.request().headers()).isEqualTo(fullHeaders());
        }
    }

    private static List<Message> waitForDeadLetter(LocalRuntime runtime) {
        List<Message> dead = TestRuntime.drain(runtime, "DeadLetterQueue");
        for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); dead.isEmpty() && System.nanoTime() < end; ) {
            dead = TestRuntime.drain(runtime, "DeadLetterQueue");
        }
        return dead;
    }
}
