package dev.errand.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.aws.QueueMessage;
import dev.errand.aws.SqsBatches;
import dev.errand.core.delivery.IncomingMessage;
import dev.errand.core.delivery.Outcome;
import dev.errand.core.delivery.Settled;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.job.MessageBudget;
import dev.errand.core.job.Notify;
import dev.errand.core.log.JsonLog;
import dev.errand.core.validation.HeaderRules;
import dev.errand.core.validation.PathRules;
import dev.errand.testkit.Sqs;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The largest job the API accepts (a notify object and a runAt too), dead-lettered with the longest reason the consumer writes (1,024
 * characters of the widest kind): SQS takes it, and the message still leaves the room MessageBudget keeps for
 * fields the consumer adds to the envelope later.
 */
class DeadLetterSizeTest {

    @Test
    void theLargestJobWithTheLongestReasonFitsTheDeadLetterQueueWithRoomToSpare() {
        try (Sqs sqs = Sqs.start()) {
            String jobs = sqs.createQueue("jobs", Map.of());
            String dlq = sqs.createQueue("jobs-dlq", Map.of());
            Map<String, String> headers = new LinkedHashMap<>();
            int values = HeaderRules.MAX_TOTAL_CHARS - HeaderRules.MAX_HEADERS * 5;
            for (int i = 0; i < HeaderRules.MAX_HEADERS; i++) {
                headers.put("X-H%02d".formatted(i), "é".repeat(values / HeaderRules.MAX_HEADERS + (i < values % HeaderRules.MAX_HEADERS ? 1 : 0)));
            }
            JobRequest request = new JobRequest("t" + "x".repeat(63), HttpMethod.DELETE, "/" + "p".repeat(PathRules.MAX_LENGTH - 1),
                    headers, Optional.of("\"" + "a".repeat(MessageBudget.LARGEST_BODY_BYTES - 2) + "\""), 0,
                    Optional.of(Instant.parse("2026-12-31T23:59:59.999999999Z")),
                    Optional.of(new Notify("n" + "x".repeat(63), "/" + "q".repeat(PathRules.MAX_LENGTH - 1), Notify.all())));
            Job job = new Job(new JobIds(Clock.systemUTC(), new SplittableRandom(5)).next(), request, Instant.now(), Integer.MAX_VALUE);
            String reason = "€".repeat(5000);
            Settled settled = new Settled(new IncomingMessage("m".repeat(100), Envelope.encode(job), 1), Optional.of(job), 999_999_999,
                    new Outcome.Reject(reason, Outcome.Cause.REFUSED, true), Optional.of(400), Optional.of(Duration.ofMillis(5)));
            Settlement settlement = new Settlement(new SqsBatches(sqs.client()), jobs, dlq, Clock.systemUTC(),
                    new JsonLog(new PrintStream(OutputStream.nullOutputStream()), Clock.systemUTC()));

            List<String> kept = settlement.settle(List.of(settled), List.of("receipt"), Instant.now().plusSeconds(30));

            assertThat(kept).as("the dead letter was taken, so the message is not kept").isEmpty();
            Message dead = sqs.drain(dlq).getFirst();
            Map<String, String> attributes = new LinkedHashMap<>();
            dead.messageAttributes().forEach((name, value) -> attributes.put(name, value.stringValue()));
            int bytes = new QueueMessage(dead.body(), attributes, 0).sqsBytes();
            assertThat(bytes).isLessThanOrEqualTo(MessageBudget.SQS_MESSAGE_BYTES - MessageBudget.CONSUMER_FIELDS_BYTES);
            assertThat(attributes.get("errand.reason")).hasSize(Settlement.REASON_CHARS + 1);
            assertThat(((Envelope.Decoded.Readable) Envelope.decode(dead.body())).job().request()).isEqualTo(request);
            assertThat(dead.body().getBytes(StandardCharsets.UTF_8).length).isGreaterThan(MessageBudget.LARGEST_BODY_BYTES);
        }
    }
}
