package dev.errand.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.record.IdempotencyKey;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore.Claim;
import dev.errand.core.record.JobStore.Creation;
import dev.errand.core.record.JobStore.Lookup;
import dev.errand.core.record.JobStore.Requeue;
import dev.errand.core.record.JobStore.Write;
import dev.errand.core.record.JobStore;
import dev.errand.core.record.RequestHash;
import dev.errand.testkit.Moto;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The job records' conditional writes, against DynamoDB as moto serves it. */
class DynamoDbJobStoreTest {

    private static Moto moto;
    private static DynamoDbClient dynamo;
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(3));
    private JobStore store;

    @BeforeAll
    static void start() {
        moto = Moto.start();
        dynamo = moto.dynamoDb();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        moto.close();
    }

    @BeforeEach
    void table() {
        moto.reset();
        dynamo.createTable(b -> b.tableName("jobs").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        store = new DynamoDbJobStore(dynamo, "jobs", Clock.systemUTC(), Duration.ofDays(7));
    }

    private Job job(String path) {
        return new Job(ids.next(), new JobRequest("crm", HttpMethod.POST, path, Map.of("X-Secret-Ish", "header-value-1"),
                Optional.of("{\"card\":\"4111-body-value\"}"), 0), Instant.now(), 0);
    }

    private JobRecord found(Job job) {
        return ((Lookup.Found) store.find(job.id())).record();
    }

    @Test
    void aJobMovesForwardOnlyAndNothingOverwritesSucceeded() {
        Job job = job("/a");
        assertThat(store.create(job, Optional.empty(), "h")).isEqualTo(new Creation.Created());
        assertThat(store.find(job.id())).as("not found until its message is sent").isInstanceOf(Lookup.Missing.class);
        store.markEnqueued(job.id());
        assertThat(found(job).status()).isEqualTo(JobStatus.QUEUED);

        assertThat(store.claim(job, 1, false, "receive-1")).isEqualTo(new Claim.Claimed());
        assertThat(found(job).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(store.record(job.id(), 1, JobStatus.RETRYING, Optional.of(503), Optional.of("HTTP 503"))).isEqualTo(new Write.Done());
        assertThat(store.claim(job, 1, false, "receive-2")).as("the same attempt again").isEqualTo(new Claim.Superseded(JobStatus.RETRYING, 1));
        assertThat(store.claim(job, 2, false, "receive-3")).isEqualTo(new Claim.Claimed());
        assertThat(store.record(job.id(), 1, JobStatus.RETRYING, Optional.of(503), Optional.empty())).as("a late event").isEqualTo(new Write.Stale());
        assertThat(store.record(job.id(), 2, JobStatus.SUCCEEDED, Optional.of(200), Optional.empty())).isEqualTo(new Write.Done());

        JobRecord record = found(job);
        assertThat(record.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.lastStatusCode()).contains(200);
        assertThat(store.claim(job, 3, false, "receive-4")).isEqualTo(new Claim.AlreadySucceeded());
        assertThat(store.claim(job, 3, true, "receive-5")).as("not even a redrive revives a succeeded job").isEqualTo(new Claim.AlreadySucceeded());
        assertThat(store.record(job.id(), 3, JobStatus.DEAD, Optional.empty(), Optional.of("late"))).isEqualTo(new Write.Stale());
        assertThat(found(job).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aClaimRetriedAfterItWasWrittenIsStillThisReceivesClaim() {
        Job job = job("/retried");
        store.create(job, Optional.empty(), "h");
        store.markEnqueued(job.id());

        assertThat(store.claim(job, 1, false, "m-1:1")).isEqualTo(new Claim.Claimed());
        assertThat(store.claim(job, 1, false, "m-1:1")).as("the SDK's retry of a write that had landed").isEqualTo(new Claim.Claimed());
        assertThat(store.claim(job, 1, false, "m-2:1")).as("another receive's claim of the same attempt")
                .isEqualTo(new Claim.Superseded(JobStatus.RUNNING, 1));
    }

    @Test
    void onlyARedrivenMessageRevivesADeadJob() {
        Job job = job("/b");
        store.create(job, Optional.empty(), "h");
        store.markEnqueued(job.id());
        store.claim(job, 1, false, "receive-6");
        store.record(job.id(), 1, JobStatus.DEAD, Optional.of(503), Optional.of("gave up after 1 attempt"));

        assertThat(store.claim(job, 2, false, "receive-7")).as("a stray copy").isEqualTo(new Claim.Superseded(JobStatus.DEAD, 1));
        assertThat(store.claim(job, 1, true, "receive-8")).as("redriven from the dead-letter queue").isEqualTo(new Claim.Claimed());
        assertThat(found(job).status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aRedriveRequeuesADeadJobOncePerDeadLetterAndTheNextCallIsAttemptOne() {
        Job job = job("/r");
        store.create(job, Optional.empty(), "h");
        store.markEnqueued(job.id());
        store.claim(job, 1, false, "receive-9");
        store.record(job.id(), 1, JobStatus.RETRYING, Optional.of(503), Optional.of("HTTP 503"));
        store.claim(job, 2, false, "receive-10");
        store.record(job.id(), 2, JobStatus.DEAD, Optional.of(503), Optional.of("gave up after 2 attempts"));

        assertThat(store.requeue(job.id(), "dlq-message-1")).isEqualTo(new Requeue.Requeued());
        JobRecord queued = found(job);
        assertThat(queued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queued.attempts()).isZero();
        assertThat(queued.lastStatusCode()).as("a fresh schedule").isEmpty();
        assertThat(queued.lastError()).isEmpty();

        assertThat(store.requeue(job.id(), "dlq-message-1")).as("a re-run, before the copy was sent")
                .isEqualTo(new Requeue.AlreadyRequeued(false));
        assertThat(store.redriveSent(job.id(), "dlq-message-1")).isEqualTo(new Write.Done());
        assertThat(store.requeue(job.id(), "dlq-message-1")).as("a re-run, after the copy was sent")
                .isEqualTo(new Requeue.AlreadyRequeued(true));
        assertThat(store.redriveSent(job.id(), "another-dead-letter")).as("not the letter it was requeued for")
                .isEqualTo(new Write.Stale());

        assertThat(store.claim(job, 1, false, "receive-11")).as("the redriven copy's first call").isEqualTo(new Claim.Claimed());
        store.record(job.id(), 1, JobStatus.FAILED, Optional.of(400), Optional.of("HTTP 400"));
        assertThat(store.requeue(job.id(), "dlq-message-1")).as("the old dead letter again: it was redriven already")
                .isEqualTo(new Requeue.AlreadyRequeued(true));
        assertThat(store.requeue(job.id(), "dlq-message-2")).as("the job's next dead letter").isEqualTo(new Requeue.Requeued());
        assertThat(found(job).status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    void nothingRequeuesASucceededJobOrAJobWithoutARecord() {
        Job job = job("/s");
        store.create(job, Optional.empty(), "h");
        store.markEnqueued(job.id());
        store.claim(job, 1, false, "receive-12");
        store.record(job.id(), 1, JobStatus.SUCCEEDED, Optional.of(200), Optional.empty());

        assertThat(store.requeue(job.id(), "dlq-message-3")).isEqualTo(new Requeue.AlreadySucceeded());
        assertThat(found(job).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(store.requeue(job("/never-stored").id(), "dlq-message-4")).isEqualTo(new Requeue.NoRecord());
        assertThat(dynamo.scan(b -> b.tableName("jobs")).items()).as("no record made up").hasSize(1);
    }

    @Test
    void aKeyGivesTheSameJobForTheSameRequestAndRefusesADifferentOne() {
        Job first = job("/c");
        IdempotencyKey key = new IdempotencyKey("arn:aws:iam::1:user/a", "order-1");
        String hash = RequestHash.of(first.request());
        assertThat(store.create(first, Optional.of(key), hash)).isEqualTo(new Creation.Created());

        Job again = job("/c");
        Creation whileSending = store.create(again, Optional.of(key), hash);
        assertThat(whileSending).isEqualTo(new Creation.Repeated(first.id(), first.submittedAt(), JobStore.Next.WAIT));
        store.markEnqueued(first.id());
        assertThat(store.create(again, Optional.of(key), hash)).isEqualTo(new Creation.Repeated(first.id(), first.submittedAt(), JobStore.Next.ANSWER));
        assertThat(store.create(job("/other"), Optional.of(key), "another hash")).isEqualTo(new Creation.Conflict(first.id()));
        assertThat(store.create(again, Optional.of(new IdempotencyKey("arn:aws:iam::1:user/b", "order-1")), hash))
                .as("another caller's key of the same text").isEqualTo(new Creation.Created());
        assertThat(found(first).idempotencyKey()).contains("order-1");
    }

    @Test
    void aSendThatNeverHappenedIsTakenOverOnceTheLeaseRunsOut() {
        Instant[] now = {Instant.parse("2026-11-25T10:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        JobStore timed = new DynamoDbJobStore(dynamo, "jobs", clock, Duration.ofDays(7));
        Job job = job("/d");
        IdempotencyKey key = new IdempotencyKey(IdempotencyKey.ANONYMOUS, "k");
        timed.create(job, Optional.of(key), "h");

        now[0] = now[0].plus(DynamoDbJobStore.SEND_LEASE).plusSeconds(1);

        assertThat(timed.create(job("/d"), Optional.of(key), "h")).isEqualTo(new Creation.Repeated(job.id(), job.submittedAt(), JobStore.Next.SEND));
        assertThat(timed.create(job("/d"), Optional.of(key), "h")).as("one taker at a time")
                .isEqualTo(new Creation.Repeated(job.id(), job.submittedAt(), JobStore.Next.WAIT));
    }

    @Test
    void anUnsentJobWithoutAKeyIsForgotten() {
        Job job = job("/e");
        store.create(job, Optional.empty(), "h");
        assertThat(store.forget(job.id())).isEqualTo(new Write.Done());
        assertThat(dynamo.scan(b -> b.tableName("jobs")).items()).isEmpty();
    }

    @Test
    void noItemHoldsABodyOrAHeaderValue() {
        Job job = job("/f");
        store.create(job, Optional.of(new IdempotencyKey(IdempotencyKey.ANONYMOUS, "key-1")), RequestHash.of(job.request()));
        store.markEnqueued(job.id());
        store.claim(job, 1, false, "receive-13");
        store.record(job.id(), 1, JobStatus.FAILED, Optional.of(400), Optional.of("HTTP 400: {\"error\":\"bad\"}"));

        String items = dynamo.scan(b -> b.tableName("jobs")).items().toString();
        assertThat(items).contains(job.id().value(), "failed").doesNotContain("4111-body-value", "header-value-1", "card");
    }

    @Test
    void aStoreThatCannotBeReachedSaysSoInsteadOfThrowing() {
        Map<String, String> env = Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "x", "AWS_SECRET_ACCESS_KEY", "x",
                "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:" + dev.errand.testkit.Ports.closed());
        JobStore down = new DynamoDbJobStore(new AwsClients(new Env(env)).dynamoDb(), "jobs", Clock.systemUTC(), Duration.ofDays(7));
        Job job = job("/g");

        assertThat(down.create(job, Optional.empty(), "h")).isInstanceOf(Creation.Unavailable.class);
        assertThat(down.claim(job, 1, false, "receive-14")).isInstanceOf(Claim.Unavailable.class);
        assertThat(down.find(job.id())).isInstanceOf(Lookup.Unavailable.class);
        assertThat(down.record(job.id(), 1, JobStatus.SUCCEEDED, Optional.of(200), Optional.empty())).isInstanceOf(Write.Unavailable.class);
        assertThat(down.requeue(job.id(), "dlq-message")).isInstanceOf(Requeue.Unavailable.class);
    }
}
