package dev.errand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.aws.AwsClients;
import dev.errand.aws.DynamoDbJobStore;
import dev.errand.aws.Env;
import dev.errand.aws.QueueMessage;
import dev.errand.aws.SqsJobQueue;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import dev.errand.core.record.JobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * A redrive cut short loses nothing and sends nothing twice: stopped by SIGTERM in a child JVM, and killed
 * outright between its sends and its deletes (reproduced step by step with the real queue and table).
 * Counted where an operator would look: both queues, the job records, and the calls the provider received.
 */
class InterruptedRedriveTest extends WithLocalErrand {

    private static final int JOBS = 30;
    private static final Duration SETTLED_WITHIN = Duration.ofSeconds(40);
    /** SIGTERM's exit status: 128 + 15. */
    private static final int SIGTERM_STATUS = 143;

    @Test
    void aRedriveStoppedBySigtermHalfwayIsFinishedByTheNextRunWithEachJobCalledOnce(@TempDir Path dir) throws Exception {
        errand.answer("/fix/t", 400);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            jobs.add(errand.submit("{\"target\":\"crm\",\"path\":\"/fix/t\",\"body\":{\"i\":" + i + "}}"));
        }
        LocalErrand.within(SETTLED_WITHIN, "all dead-lettered", () -> errand.peek(errand.deadLetterQueue()).size() == JOBS);
        errand.answer("/fix/t", 200);
        Path out = dir.resolve("out.txt");

        Process first = errand.child(out.toFile(), dir.resolve("err.txt").toFile(), "dlq", "redrive", "--all", "--rate", "5/s");
        LocalErrand.within(Duration.ofSeconds(60), "the first run under way", () -> redriven(read(out)).size() >= 6);
        first.destroy();

        assertThat(first.waitFor(40, TimeUnit.SECONDS)).as("stopped within its grace").isTrue();
        String firstOut = read(out);
        assertThat(first.exitValue()).as(firstOut + read(dir.resolve("err.txt"))).isEqualTo(SIGTERM_STATUS);
        assertThat(firstOut).contains("Stopped by a signal", "Run the same command again");
        List<String> before = redriven(firstOut);
        assertThat(before).hasSizeBetween(6, JOBS - 1).doesNotHaveDuplicates();
        assertThat(errand.peek(errand.deadLetterQueue())).as("the rest visible again at once, none held back")
                .hasSize(JOBS - before.size());

        LocalErrand.Run second = errand.cli("dlq", "redrive", "--all");

        assertThat(second.code()).as(second.out() + second.err()).isZero();
        List<String> after = redriven(second.out());
        List<String> all = new ArrayList<>(before);
        all.addAll(after);
        assertThat(all).as("each job redriven by exactly one of the two runs").containsExactlyInAnyOrderElementsOf(jobs);
        LocalErrand.within(SETTLED_WITHIN, "every job delivered", () -> jobs.stream().allMatch(j -> errand.callsFor(j) == 2));
        LocalErrand.pause(Duration.ofSeconds(1));
        for (String job : jobs) {
            assertThat(errand.callsFor(job)).as("job %s: the refused call and one redriven call", job).isEqualTo(2);
            assertThat(errand.record(job)).containsEntry("status", "succeeded").containsEntry("attempts", 1);
        }
        assertThat(errand.depth(errand.deadLetterQueue())).isZero();
        assertThat(errand.depth(errand.jobsQueue())).isZero();
    }

    @Test
    void aRunKilledAfterItsSendsIsFinishedByTheNextWithoutASecondCall() {
        errand.answer("/fix/k", 400);
        String sentAndNoted = errand.submit("{\"target\":\"crm\",\"path\":\"/fix/k\"}");
        String sentNotNoted = errand.submit("{\"target\":\"crm\",\"path\":\"/fix/k\"}");
        String requeuedOnly = errand.submit("{\"target\":\"crm\",\"path\":\"/fix/k\"}");
        LocalErrand.within(SETTLED_WITHIN, "dead-lettered", () -> errand.peek(errand.deadLetterQueue()).size() == 3);
        errand.answer("/fix/k", 200);
        Map<String, Message> letters = new HashMap<>();
        errand.peek(errand.deadLetterQueue()).forEach(m -> letters.put(m.messageAttributes().get("errand.jobId").stringValue(), m));

        try (DynamoDbClient dynamo = new AwsClients(new Env(errand.env())).dynamoDb()) {
            JobStore store = new DynamoDbJobStore(dynamo, errand.runtime.table("JobsTable").orElseThrow(), Clock.systemUTC(), Duration.ofDays(7));
            // what a run killed before its deletes had done: each job requeued; two copies sent, one noted as sent.
            // The copies are delayed, so they are certainly still on the queue when the next run starts.
            for (Message letter : letters.values()) {
                store.requeue(jobOf(letter).id(), letter.messageId());
            }
            sendCopy(letters.get(sentAndNoted));
            store.redriveSent(new JobId(sentAndNoted), letters.get(sentAndNoted).messageId());
            sendCopy(letters.get(sentNotNoted));
        }

        LocalErrand.Run next = errand.cli("dlq", "redrive", "--all");

        assertThat(next.code()).as(next.out() + next.err()).isZero();
        assertThat(next.out()).contains("removed       " + sentAndNoted, "an earlier, interrupted run already sent its copy",
                "redriven      " + sentNotNoted, "redriven      " + requeuedOnly);
        LocalErrand.within(SETTLED_WITHIN, "all delivered and both queues empty", () -> errand.depth(errand.jobsQueue()) == 0
                && List.of(sentAndNoted, sentNotNoted, requeuedOnly).stream().allMatch(j -> "succeeded".equals(errand.record(j).get("status"))));
        LocalErrand.pause(Duration.ofSeconds(1));
        assertThat(errand.callsFor(sentAndNoted)).as("its one copy, sent by the killed run").isEqualTo(2);
        assertThat(errand.callsFor(sentNotNoted)).as("two copies on the queue, one call: the consumer skips the late copy").isEqualTo(2);
        assertThat(errand.callsFor(requeuedOnly)).isEqualTo(2);
        assertThat(errand.depth(errand.deadLetterQueue())).isZero();
    }

    /** A copy as a redrive sends it, held back a few seconds. */
    private static void sendCopy(Message letter) {
        QueueMessage copy = SqsJobQueue.message(jobOf(letter).withPriorAttempts(0), 0);
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        copy.attributes().forEach((k, v) -> attributes.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        attributes.put(Redrive.REDRIVE_OF, MessageAttributeValue.builder().dataType("String").stringValue(letter.messageId()).build());
        errand.runtime.sqs().sendMessage(b -> b.queueUrl(errand.jobsQueue()).messageBody(copy.body()).delaySeconds(4)
                .messageAttributes(attributes));
    }

    private static Job jobOf(Message letter) {
        return ((Envelope.Decoded.Readable) Envelope.decode(letter.body())).job();
    }

    private static List<String> redriven(String out) {
        return out.lines().filter(l -> l.startsWith("redriven ")).map(l -> l.split("\\s+")[1]).toList();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
