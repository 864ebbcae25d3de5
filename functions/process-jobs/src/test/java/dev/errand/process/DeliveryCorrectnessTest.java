package dev.errand.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.aws.DynamoDbJobStore;
import dev.errand.aws.Env;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.record.JobLife;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import dev.errand.testkit.Moto;
import dev.errand.testkit.Ports;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import dev.errand.testkit.SlowProxy;
import dev.errand.testkit.Sqs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The ways a job could be lost, stuck or called too often (issue "Delivery correctness"), each against
 * ElasticMQ, moto's DynamoDB and a real HTTP provider, with job records on.
 */
class DeliveryCorrectnessTest {

    private static final String TABLE = "jobs";
    private static Sqs sqs;
    private static Moto moto;
    private static DynamoDbClient dynamo;
    private static Provider provider;
    private static String jobsQueue;
    private static String deadLetters;
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(17));
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private JobStore store;

    @BeforeAll
    static void start() {
        sqs = Sqs.start();
        moto = Moto.start();
        dynamo = moto.dynamoDb();
        jobsQueue = sqs.createQueue("jobs", Map.of("VisibilityTimeout", "60"));
        deadLetters = sqs.createQueue("jobs-dlq", Map.of());
        provider = Provider.start(DeliveryCorrectnessTest::answer);
    }

    @AfterAll
    static void stop() {
        provider.close();
        dynamo.close();
        moto.close();
        sqs.close();
    }

    @BeforeEach
    void fresh() {
        moto.reset();
        dynamo.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        store = new DynamoDbJobStore(dynamo, TABLE, Clock.systemUTC(), Duration.ofDays(7));
        sqs.client().purgeQueue(b -> b.queueUrl(jobsQueue));
        sqs.client().purgeQueue(b -> b.queueUrl(deadLetters));
        provider.answer(DeliveryCorrectnessTest::answer);
    }

    /** The provider answers the status its path names: /status/400, /status/503, ... */
    private static Reply answer(Provider.Call call) {
        return Reply.status(Integer.parseInt(call.path().replaceAll("\\D", "")));
    }

    private ProcessJobsFunction function(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(sqs.environment());
        env.putAll(moto.environment());
        env.put(Env.JOBS_QUEUE_URL, jobsQueue);
        env.put(Env.DEAD_LETTER_QUEUE_URL, deadLetters);
        env.put(Env.JOBS_TABLE, TABLE);
        env.put(Env.TARGETS, "{\"targets\":{"
                + "\"demo\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"breakerThreshold\":100,\"maxConcurrency\":1000},"
                + "\"slow\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"timeoutMs\":60000},"
                + "\"locked\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,"
                + "\"auth\":{\"type\":\"bearer\",\"secret\":\"ssm:/errand/token\"}}}}");
        env.put(Env.MAX_ATTEMPTS, "3");
        env.put(Env.RETRY_BASE_SECONDS, "1");
        env.put(Env.RETRY_MAX_SECONDS, "4");
        env.putAll(more);
        return new ProcessJobsFunction(new Env(env), () -> 1.0, new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    private Job job(String target, String path) {
        return new Job(ids.next(), new JobRequest(target, HttpMethod.POST, path, Map.of(), Optional.of("{}"), 0), Instant.now(), 0);
    }

    private void send(String queue, String body, Map<String, String> attributes) {
        Map<String, MessageAttributeValue> values = new HashMap<>();
        attributes.forEach((k, v) -> values.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody(body).messageAttributes(values));
    }

    /** One invocation as the event source makes it: receive, invoke, delete what was not reported failed. */
    private SQSBatchResponse poll(ProcessJobsFunction function, int max, Duration wait, Duration timeout) {
        List<SQSEvent.SQSMessage> records = Records.receive(sqs, jobsQueue, max, wait);
        if (records.isEmpty()) {
            return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
        }
        SQSBatchResponse response = function.handleRequest(Records.event(records), FixedContext.timeout(timeout));
        Set<String> kept = new HashSet<>(Records.failed(response));
        records.stream().filter(r -> !kept.contains(r.getMessageId()))
                .forEach(r -> sqs.client().deleteMessage(b -> b.queueUrl(jobsQueue).receiptHandle(r.getReceiptHandle())));
        return response;
    }

    private JobRecord record(Job job) {
        return ((JobStore.Lookup.Found) store.find(job.id())).record();
    }

    private static Map<String, String> attributes(Message m) {
        return m.messageAttributes().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stringValue()));
    }

    private List<Message> deadLetters() {
        return sqs.drain(deadLetters);
    }

    // ---------------------------------------------------------------- 1. every deferral is bounded

    @Test
    void aJobPutOffForLongerThanMaxDeferralSecondsGoesToTheDeadLetterQueueWithWhyItWasPutOff() {
        Job job = job("locked", "/status/200");
        send(jobsQueue, Envelope.encode(job), Map.of());
        // the secret's store cannot be reached: a passing fault, so the job is put off, again and again
        ProcessJobsFunction function = function(Map.of(Env.MAX_DEFERRAL_SECONDS, "3",
                "AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:" + Ports.closed()));

        List<Message> dead = new ArrayList<>();
        int invocations = 0;
        for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); dead.isEmpty() && System.nanoTime() < end; ) {
            if (!Records.failed(poll(function, 10, Duration.ofSeconds(2), Duration.ofSeconds(10))).isEmpty()) {
                throw new AssertionError("a deferral is a re-sent copy, never a kept message");
            }
            invocations++;
            dead.addAll(deadLetters());
        }

        assertThat(dead).as("dead-lettered once it had waited 3 s").hasSize(1);
        assertThat(attributes(dead.getFirst()).get("errand.reason"))
                .contains("longer than MaxDeferralSeconds (3 s)")
                .contains("last put off because: could not read the target's secret");
        assertThat(attributes(dead.getFirst())).containsEntry("errand.attempts", "0");
        assertThat(invocations).as("put off a few times, each on a copy delayed a second or more").isBetween(2, 10);
        assertThat(provider.callsFor(job.id().value())).isEmpty();
        assertThat(record(job).status()).isEqualTo(JobStatus.DEAD);
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("\"Deferred\"");
    }

    // ---------------------------------------------------------------- 2. no message dropped unless a proven duplicate

    @Test
    void aCopyFindingItsRecordRunningAfterALostSuccessWriteIsDeliveredNotDropped() {
        Job job = job("demo", "/status/200");
        // the first delivery called and the provider took it, but the invocation ended before its success write
        store.claim(job, 1, false, "first:1", Instant.now().minusSeconds(1), 3);
        send(jobsQueue, Envelope.encode(job), Map.of());

        SQSBatchResponse response = poll(function(Map.of()), 10, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(Records.failed(response)).isEmpty();
        assertThat(provider.callsFor(job.id().value())).as("called again; the provider dedupes by Idempotency-Key").hasSize(1)
                .allSatisfy(c -> assertThat(c.jobId()).isEqualTo(job.id().value()));
        assertThat(record(job).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(record(job).attempts()).isEqualTo(2);
    }

    @Test
    void aRedrivenDeadLetterWhoseDeadWriteWasLostIsDeliveredNotDropped() {
        Job job = job("demo", "/status/200");
        store.claim(job, 1, false, "first:1", Instant.now().minusSeconds(1), 3);
        store.record(job, JobLife.Event.RETRY, 1, Optional.of(503), Optional.of("HTTP 503"));
        // its dead letter was sent but the write of its dead status was lost; now it is redriven, reason and all
        send(jobsQueue, Envelope.encode(job.forDeadLetter()), Map.of("errand.reason", "gave up after 3 attempts"));

        poll(function(Map.of()), 10, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(provider.callsFor(job.id().value())).hasSize(1);
        assertThat(record(job).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aMessageTheQueuesRedrivePolicyMovedAndAnOperatorMovedBackIsDeliveredNotDropped() {
        Job job = job("demo", "/status/200");
        // the consumer stopped during a call (a crash, a timeout): the record stays running, and SQS moved the
        // message to the dead-letter queue itself, with no errand.reason; moved back, it carries nothing of ours
        store.claim(job, 1, false, "crashed:1", Instant.now().minusSeconds(1), 3);
        send(jobsQueue, Envelope.encode(job), Map.of());

        poll(function(Map.of()), 10, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(provider.callsFor(job.id().value())).hasSize(1);
        assertThat(record(job).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aDeadLetterMovedBackAsTheConsoleDoesStartsAFreshSchedule() {
        provider.answer(call -> call.path().equals("/flaky") && provider.callsFor(call.jobId()).size() <= 3
                ? Reply.status(503) : Reply.status(200));
        Job job = job("demo", "/flaky");
        send(jobsQueue, Envelope.encode(job), Map.of());
        ProcessJobsFunction function = function(Map.of(Env.MAX_ATTEMPTS, "1"));
        poll(function, 10, Duration.ofSeconds(2), Duration.ofSeconds(10));
        Message dead = deadLetters().getFirst();
        assertThat(record(job).status()).isEqualTo(JobStatus.DEAD);

        // the console's "start DLQ redrive" moves the message back as it is: same body, same attributes
        send(jobsQueue, dead.body(), attributes(dead));
        poll(function(Map.of(Env.MAX_ATTEMPTS, "4")), 10, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(provider.callsFor(job.id().value())).hasSize(2);
        assertThat(record(job).status()).as("revived at attempt 1 of a fresh schedule").isEqualTo(JobStatus.RETRYING);
        assertThat(record(job).attempts()).isEqualTo(1);
    }

    @Test
    void onlyARecordThatProvesSuccessLetsAMessageGoWithoutACall() {
        Job job = job("demo", "/status/200");
        store.claim(job, 1, false, "first:1", Instant.now().minusSeconds(1), 3);
        store.record(job, JobLife.Event.SUCCEED, 1, Optional.of(200), Optional.empty());
        send(jobsQueue, Envelope.encode(job), Map.of());

        SQSBatchResponse response = poll(function(Map.of()), 10, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(Records.failed(response)).isEmpty();
        assertThat(provider.callsFor(job.id().value())).isEmpty();
        assertThat(deadLetters()).isEmpty();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("duplicate delivery: the job already succeeded");
    }

    // ---------------------------------------------------------------- 3. settling fits its deadline

    @Test
    void aThousandRejectsThroughASlowSqsSettleBeforeTheTimeoutAndNothingIsCalledTwice() {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            jobs.add(job(i % 100 == 0 ? "slow" : "demo", i % 100 == 0 ? "/hang" : "/status/400"));
        }
        // without job records: the SQS steps alone (dead letters, visibility changes, re-sends) must fit
        settlesBeforeTheTimeout(jobs, Map.of(Env.JOBS_TABLE, ""), Duration.ofSeconds(5));
    }

    @Test
    void deadLettersWithTheirRecordWritesThroughASlowSqsSettleBeforeTheTimeout() {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            jobs.add(job(i % 50 == 0 ? "slow" : "demo", i % 50 == 0 ? "/hang" : "/status/400"));
        }
        // with job records: a dead letter's record write is part of the work, and moto is slower than DynamoDB
        settlesBeforeTheTimeout(jobs, Map.of(), Duration.ofSeconds(10));
    }

    /**
     * One invocation of these jobs with every SQS call 300 ms slow and the hanging ones holding the calls to
     * their deadline: it answers before the timeout, no job is called twice, and every job is dead-lettered,
     * kept or re-sent, never dropped. (How many calls fit before the deadline depends on the machine's CPU.)
     */
    private void settlesBeforeTheTimeout(List<Job> jobs, Map<String, String> env, Duration timeout) {
        provider.answer(call -> call.path().equals("/hang") ? Reply.status(200).after(Duration.ofSeconds(60)) : answer(call));
        List<SQSEvent.SQSMessage> records = Records.viaQueue(sqs, jobsQueue, jobs.stream().map(Envelope::encode).toList());
        try (SlowProxy slowSqs = SlowProxy.start(sqs.endpoint(), Duration.ofMillis(300))) {
            Map<String, String> slow = new HashMap<>(env);
            slow.put("AWS_ENDPOINT_URL_SQS", slowSqs.url().toString());
            ProcessJobsFunction function = function(slow);

            long start = System.nanoTime();
            SQSBatchResponse response = function.handleRequest(Records.event(records), FixedContext.timeout(timeout));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("answered before Lambda's timeout, so Lambda never returns the whole batch").isLessThan(timeout);
            Map<String, Long> calls = provider.calls().stream().collect(Collectors.groupingBy(Provider.Call::jobId, Collectors.counting()));
            assertThat(calls.values()).as("no job called twice").allMatch(n -> n == 1);
            Set<String> kept = new HashSet<>(Records.failed(response));
            Set<String> dead = deadLettersUntil(jobs.size(), Duration.ofSeconds(3)).stream().map(m -> attributes(m).get("errand.jobId"))
                    .collect(Collectors.toSet());
            Set<String> resent = sqs.drain(jobsQueue).stream().map(m -> attributes(m).get("errand.jobId")).collect(Collectors.toSet());
            for (int i = 0; i < records.size(); i++) {
                String jobId = jobs.get(i).id().value();
                boolean wasKept = kept.contains(records.get(i).getMessageId());
                assertThat(wasKept || dead.contains(jobId) || resent.contains(jobId))
                        .as("job " + jobId + " is dead-lettered, kept or re-sent, never dropped").isTrue();
            }
            assertThat(dead).as("rejected jobs reached the dead-letter queue").isNotEmpty();
        }
    }

    private List<Message> deadLettersUntil(int count, Duration wait) {
        List<Message> all = new ArrayList<>();
        for (long end = System.nanoTime() + wait.toNanos(); all.size() < count && System.nanoTime() < end; ) {
            all.addAll(deadLetters());
        }
        return all;
    }

    // ---------------------------------------------------------------- 4. a failed DLQ send never calls the provider again

    @Test
    void aJobWhoseDeadLetterCannotBeSentIsNeverCalledAgainAndIsDeadLetteredOnceTheQueueIsBack() {
        Job job = job("demo", "/status/400");
        send(jobsQueue, Envelope.encode(job), Map.of());
        Map<String, String> noDlq = Map.of(Env.DEAD_LETTER_QUEUE_URL, deadLetters + "-gone");

        poll(function(noDlq), 10, Duration.ofSeconds(2), Duration.ofSeconds(10));
        poll(function(noDlq), 10, Duration.ofSeconds(3), Duration.ofSeconds(10));
        assertThat(deadLetters()).isEmpty();
        poll(function(Map.of()), 10, Duration.ofSeconds(3), Duration.ofSeconds(10));

        assertThat(provider.callsFor(job.id().value())).as("called once, whatever became of its dead letter").hasSize(1);
        Message dead = deadLetters().getFirst();
        assertThat(attributes(dead)).containsEntry("errand.reason", "HTTP 400: {\"status\":400}").containsEntry("errand.attempts", "1");
        assertThat(record(job).status()).isEqualTo(JobStatus.FAILED);
        assertThat(sqs.depth(jobsQueue)).isZero();
    }

    @Test
    void whenNeitherQueueTakesTheDeadLetterTheRecordStopsTheNextCall() {
        Job job = job("demo", "/status/400");
        send(jobsQueue, Envelope.encode(job), Map.of());
        List<SQSEvent.SQSMessage> first = Records.receive(sqs, jobsQueue, 1, Duration.ofSeconds(2));
        ProcessJobsFunction nothingTakesIt = function(Map.of(Env.DEAD_LETTER_QUEUE_URL, deadLetters + "-gone",
                Env.JOBS_QUEUE_URL, jobsQueue + "-gone"));

        SQSBatchResponse response = nothingTakesIt.handleRequest(Records.event(first), FixedContext.timeout(Duration.ofSeconds(10)));
        assertThat(Records.failed(response)).as("held").containsExactly(first.getFirst().getMessageId());
        sqs.client().changeMessageVisibility(b -> b.queueUrl(jobsQueue).receiptHandle(first.getFirst().getReceiptHandle()).visibilityTimeout(0));
        poll(function(Map.of()), 10, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(provider.callsFor(job.id().value())).hasSize(1);
        assertThat(attributes(deadLetters().getFirst()).get("errand.reason")).contains("HTTP 400");
    }
}
