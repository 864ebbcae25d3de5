package dev.errand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** dlq list, show and redrive against real dead letters: jobs the real consumer gave up on, in ElasticMQ. */
class DeadLetterCommandsTest extends WithLocalErrand {

    private static final Duration DEAD_WITHIN = Duration.ofSeconds(20);

    private void awaitDeadLetters(int count) {
        LocalErrand.within(DEAD_WITHIN, count + " dead letters", () -> errand.peek(errand.deadLetterQueue()).size() == count);
    }

    private static List<?> jsonArray(String text) {
        return (List<?>) ((Json.Parsed.Value) Json.parse(text)).value();
    }

    @Test
    void listAndShowSayWhatDiedAndWhyAndRemoveNothing() {
        String refused = errand.submit("{\"target\":\"crm\",\"path\":\"/status/400\",\"body\":{\"order\":\"body-mark-51\"},"
                + "\"headers\":{\"X-Tenant\":\"header-mark-9\"}}");
        String exhausted = errand.submit("{\"target\":\"crm\",\"path\":\"/status/503\"}");
        String gone = errand.submit("{\"target\":\"crm\",\"path\":\"/status/410\"}");
        awaitDeadLetters(3);

        LocalErrand.Run list = errand.cli("dlq", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("JOB ID", "TARGET", "ATTEMPTS", "AGE", "REASON");
        assertThat(list.out().lines().filter(l -> l.startsWith(refused)))
                .singleElement().asString().contains("crm", "  1  ", "HTTP 400");
        assertThat(list.out().lines().filter(l -> l.startsWith(exhausted)))
                .singleElement().asString().contains("crm", "  2  ", "gave up after 2 attempts");
        assertThat(list.out()).contains(gone, "3 shown");

        List<?> rows = jsonArray(errand.cli("dlq", "list", "--json").out());
        assertThat(rows).hasSize(3);
        Map<?, ?> row = rows.stream().map(r -> (Map<?, ?>) r).filter(r -> exhausted.equals(r.get("jobId"))).findFirst().orElseThrow();
        assertThat(row.get("attempts")).isEqualTo(2);
        assertThat(row.get("lastStatus")).isEqualTo(503);
        assertThat(row.get("movedBySqs")).isEqualTo(false);
        assertThat(row.get("target")).isEqualTo("crm");
        assertThat(jsonArray(errand.cli("dlq", "list", "--json", "--limit", "2").out())).hasSize(2);
        assertThat(errand.peek(errand.deadLetterQueue())).as("listing removes nothing and leaves all visible").hasSize(3);

        LocalErrand.Run show = errand.cli("dlq", "show", refused);
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("errand.reason", "HTTP 400", "errand.attempts", "ApproximateReceiveCount",
                "\"path\" : \"/status/400\"", "body-mark-51", "header-mark-9");
        Map<?, ?> shown = (Map<?, ?>) jsonArray(errand.cli("dlq", "show", refused, "--json").out()).getFirst();
        assertThat(((Map<?, ?>) shown.get("messageAttributes")).get("errand.jobId")).isEqualTo(refused);
        assertThat(((Map<?, ?>) ((Map<?, ?>) shown.get("body")).get("request")).get("path")).isEqualTo("/status/400");

        LocalErrand.Run missing = errand.cli("dlq", "show", "01a212e0-3f05-7942-80a2-c34293387a05");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("No dead letter for 01a212e0-3f05-7942-80a2-c34293387a05", "errand status");
        assertThat(errand.peek(errand.deadLetterQueue())).hasSize(3);
    }

    @Test
    void listSaysHowManyAreInFlightWhenAnotherReaderHoldsThem() {
        String refused = errand.submit("{\"target\":\"crm\",\"path\":\"/status/400\"}");
        awaitDeadLetters(1);
        List<Message> held = errand.runtime.sqs().receiveMessage(b -> b.queueUrl(errand.deadLetterQueue()).maxNumberOfMessages(10)
                .visibilityTimeout(30).waitTimeSeconds(1)).messages();
        assertThat(held).hasSize(1);

        LocalErrand.Run list = errand.cli("dlq", "list");

        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("No dead letter is visible, but SQS counts about 1 in flight: another reader holds them")
                .doesNotContain("empty").doesNotContain(refused);
        errand.runtime.sqs().changeMessageVisibility(b -> b.queueUrl(errand.deadLetterQueue())
                .receiptHandle(held.getFirst().receiptHandle()).visibilityTimeout(0));
        assertThat(errand.cli("dlq", "list").out()).contains(refused, "1 shown; SQS counts about 1 in the queue.");
    }

    @Test
    void redriveSendsNamedJobsBackWithAFreshScheduleAndTheirRecordsRequeued() {
        errand.answer("/fix/a", 503);
        errand.answer("/fix/b", 503);
        String fixed = errand.submit("{\"target\":\"crm\",\"path\":\"/fix/a\"}");
        String alsoFixed = errand.submit("{\"target\":\"crm\",\"path\":\"/fix/a\"}");
        String stillBroken = errand.submit("{\"target\":\"crm\",\"path\":\"/fix/b\"}");
        String notNamed = errand.submit("{\"target\":\"crm\",\"path\":\"/status/400\"}");
        awaitDeadLetters(4);
        assertThat(errand.record(fixed)).containsEntry("status", "dead").containsEntry("attempts", 2);
        String notNamedLetter = letterOf(notNamed).messageId();
        errand.answer("/fix/a", 200);

        LocalErrand.Run run = errand.cli("dlq", "redrive", fixed, alsoFixed, stillBroken);

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out().lines().filter(l -> l.startsWith("redriven"))).hasSize(3);
        assertThat(run.out()).contains("Redriven: 3 (attempts reset, job records back to queued)");
        LocalErrand.within(DEAD_WITHIN, "the fixed jobs delivered, the broken one dead again", () ->
                "succeeded".equals(errand.record(fixed).get("status")) && "succeeded".equals(errand.record(alsoFixed).get("status"))
                        && errand.peek(errand.deadLetterQueue()).size() == 2);
        assertThat(errand.record(fixed)).as("the redriven copy's call was attempt 1").containsEntry("attempts", 1);
        assertThat(errand.callsFor(fixed)).as("two calls before, one after").isEqualTo(3);
        assertThat(errand.callsFor(alsoFixed)).isEqualTo(3);
        assertThat(errand.callsFor(stillBroken)).as("a fresh schedule: MaxAttempts (2) more calls").isEqualTo(4);
        assertThat(letterOf(stillBroken).messageAttributes().get("errand.attempts").stringValue()).isEqualTo("2");
        assertThat(letterOf(notNamed).messageId()).as("a job not named is left alone").isEqualTo(notNamedLetter);
    }

    @Test
    void aDryRunChangesNothing() {
        String refused = errand.submit("{\"target\":\"crm\",\"path\":\"/status/400\"}");
        String exhausted = errand.submit("{\"target\":\"crm\",\"path\":\"/status/503\"}");
        awaitDeadLetters(2);
        Set<String> letters = errand.peek(errand.deadLetterQueue()).stream().map(m -> m.messageId() + m.body()).collect(Collectors.toSet());
        Map<String, Object> record = errand.record(exhausted);

        LocalErrand.Run run = errand.cli("dlq", "redrive", "--all", "--dry-run");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("would redrive " + refused, "would redrive " + exhausted,
                "Dry run: would redrive 2, would remove 0, would leave 0. Nothing was changed.");
        LocalErrand.pause(Duration.ofSeconds(2));
        assertThat(errand.peek(errand.deadLetterQueue()).stream().map(m -> m.messageId() + m.body()).collect(Collectors.toSet()))
                .as("the same dead letters, visible at once").isEqualTo(letters);
        assertThat(errand.depth(errand.jobsQueue())).as("nothing sent").isZero();
        assertThat(errand.record(exhausted)).as("the record untouched").isEqualTo(record);
        assertThat(errand.callsFor(exhausted)).isEqualTo(2);
        assertThat(errand.callsFor(refused)).isEqualTo(1);
    }

    @Test
    void aSecondDeadLetterOfAJobIsLeftByTheRunThatRedrivesItAndRemovedOnceTheJobSucceeded() {
        errand.answer("/fix/c", 400);
        String job = errand.submit("{\"target\":\"crm\",\"path\":\"/fix/c\"}");
        awaitDeadLetters(1);
        // a consumer that crashed after its dead-letter send, and settled the job again: two dead letters of one job
        Message letter = letterOf(job);
        errand.runtime.sqs().sendMessage(b -> b.queueUrl(errand.deadLetterQueue()).messageBody(letter.body())
                .messageAttributes(letter.messageAttributes()));
        awaitDeadLetters(2);
        errand.answer("/fix/c", 200);

        LocalErrand.Run first = errand.cli("dlq", "redrive", "--all");

        assertThat(first.out()).contains("redriven      " + job, "left          " + job, "another dead letter of this job was redriven in this run");
        LocalErrand.within(DEAD_WITHIN, "delivered", () -> "succeeded".equals(errand.record(job).get("status")));
        LocalErrand.Run second = errand.cli("dlq", "redrive", "--all");
        assertThat(second.code()).as(second.out()).isZero();
        assertThat(second.out()).contains("removed       " + job, "its job already succeeded");
        assertThat(errand.peek(errand.deadLetterQueue())).isEmpty();
        LocalErrand.pause(Duration.ofSeconds(1));
        assertThat(errand.callsFor(job)).as("one refused call, one delivered; the second dead letter sent nothing").isEqualTo(2);
    }

    @Test
    void theRateIsHonoured() {
        errand.answer("/fix/d", 400);
        for (int i = 0; i < 12; i++) {
            errand.submit("{\"target\":\"crm\",\"path\":\"/fix/d\"}");
        }
        awaitDeadLetters(12);
        errand.answer("/fix/d", 200);

        long start = System.nanoTime();
        LocalErrand.Run run = errand.cli("dlq", "redrive", "--all", "--rate", "4/s");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(run.out()).contains("Redriven: 12");
        // 4 a second: batches of 4 at 0, 1 and 2 s; loosely, as the machine is shared
        assertThat(took).isGreaterThan(Duration.ofMillis(1800));
    }

    @Test
    void aMessageSqsMovedAfterCrashesIsListedAsSuchAndRedrivenForTheConsumerToRevive() {
        String source = errand.runtime.sqs().createQueue(b -> b.queueName("crashing-source")).queueUrl();
        String dlq = errand.runtime.sqs().createQueue(b -> b.queueName("crashing-dlq")).queueUrl();
        String dlqArn = errand.runtime.sqs().getQueueAttributes(b -> b.queueUrl(dlq).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        errand.runtime.sqs().setQueueAttributes(b -> b.queueUrl(source).attributesWithStrings(
                Map.of("RedrivePolicy", "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":2}")));
        String envelope = "{\"v\":1,\"jobId\":\"01a212e0-3f05-7942-80a2-c34293387a06\",\"submittedAt\":\"2026-11-25T10:00:00Z\","
                + "\"attempts\":1,\"request\":{\"target\":\"crm\",\"method\":\"POST\",\"path\":\"/x\",\"headers\":{}}}";
        errand.runtime.sqs().sendMessage(b -> b.queueUrl(source).messageBody(envelope));
        // a consumer that crashes: it receives the message and never settles it, until SQS moves it
        LocalErrand.within(DEAD_WITHIN, "moved by SQS", () -> {
            errand.runtime.sqs().receiveMessage(r -> r.queueUrl(source).visibilityTimeout(0).waitTimeSeconds(0));
            return errand.depth(dlq) == 1;
        });
        List<String> there = List.of("--dlq", dlq, "--jobs-queue", source);
        // an operator who did not give the table: no records are reset, the copies carry their reason instead
        Map<String, String> noTable = new java.util.HashMap<>(errand.env());
        noTable.remove("AWS_ENDPOINT_URL_DYNAMODB");

        LocalErrand.Run list = LocalErrand.bare(new Context(noTable, java.time.Clock.systemUTC(), new StopSignal(), false),
                concat(List.of("dlq", "list", "--endpoint-url", errand.runtime.sqsEndpoint().toString()), there));

        assertThat(list.out()).contains("01a212e0-3f05-7942-80a2-c34293387a06", "1+",
                "moved by SQS after 2 receives (the consumer crashed or timed out)");
        LocalErrand.Run redrive = LocalErrand.bare(new Context(noTable, java.time.Clock.systemUTC(), new StopSignal(), false),
                concat(List.of("dlq", "redrive", "--all", "--endpoint-url", errand.runtime.sqsEndpoint().toString()), there));
        assertThat(redrive.err()).contains("No job records table given");
        Message copy = errand.runtime.sqs().receiveMessage(b -> b.queueUrl(source).waitTimeSeconds(2).messageAttributeNames("All"))
                .messages().getFirst();
        assertThat(copy.body()).contains("\"attempts\":0", "01a212e0-3f05-7942-80a2-c34293387a06");
        assertThat(copy.messageAttributes()).containsKeys("errand.reason", "errand.redriveOf", "errand.jobId", "errand.target");
        assertThat(errand.depth(dlq)).isZero();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static Message letterOf(String jobId) {
        return errand.peek(errand.deadLetterQueue()).stream()
                .filter(m -> jobId.equals(java.util.Optional.ofNullable(m.messageAttributes().get("errand.jobId"))
                        .map(MessageAttributeValue::stringValue).orElse("")))
                .findFirst().orElseThrow(() -> new AssertionError("no dead letter of " + jobId));
    }
}
